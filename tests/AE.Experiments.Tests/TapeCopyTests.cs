using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Dsl.Text;
using AE.Experiments.Baselines;
using AE.Experiments.Cells;
using AE.Experiments.Training;
using AE.Runtime.Cells;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary><c>cells/tape_copy.ae</c> and the <c>tape-copy</c> task: the data, the copy accuracy, the generated adjoint, a short run.</summary>
    public class TapeCopyTests
    {
        private static readonly Lazy<EmitTarget> Target = new(() =>
        {
            var result = AeCompiler.Check(SourceFile.FromBytes(Path.Combine("cells", "tape_copy.ae"), File.ReadAllBytes(Path.Combine(RepoPaths.Root, "cells", "tape_copy.ae"))));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            return EmitTarget.Of(result.Program!).Single();
        });

        [Fact]
        public void Copy_accuracy_counts_the_bits_of_the_recall_steps_only()
        {
            // Three rows of 4 bits: the first is not a recall step (all wrong, ignored); the second is all right
            // (0 reads 0); the third has bits 0 and 2 wrong. 6 of 8 bits right.
            double[] y = { 5, 5, 5, 5, 2, -1, 0, 0.5, -3, 4, 1, -0.1 };
            double[] target = { 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0 };
            double[] recall = { 0, 1, 1 };
            Assert.Equal(0.75, TapeCopyTask.CopyAccuracy<double>(y, target, recall));
            Assert.Equal(1.0, TapeCopyTask.CopyAccuracy<double>(y.Skip(4).Take(4).ToArray(), target.Skip(4).Take(4).ToArray(), new double[] { 1 }));
            Assert.True(double.IsNaN(TapeCopyTask.CopyAccuracy<double>(y.Take(4).ToArray(), target.Take(4).ToArray(), new double[] { 0 })));
            Assert.Throws<ArgumentException>(() => TapeCopyTask.CopyAccuracy<double>(y, target, new double[] { 1, 1 }));
        }

        [Fact]
        public void The_data_show_each_sequence_then_ask_for_it_back()
        {
            const int batch = 3, time = 2 * TapeCopyTask.Length, w = TapeCopyTask.Width, l = TapeCopyTask.Length;
            var data = TapeCopyTask.Draw(batch, time, new Random(5));
            for (int b = 0; b < batch; b++)
                for (int k = 0; k < l; k++)
                {
                    int shown = k * batch + b, asked = (l + k) * batch + b;
                    Assert.Equal(0, data.Recall[shown]);
                    Assert.Equal(1, data.Recall[asked]);
                    for (int j = 0; j < w; j++)
                    {
                        Assert.Contains(data.X[shown * w + j], new[] { 0.0, 1.0 });
                        Assert.Equal(data.X[shown * w + j], data.Target[asked * w + j]);   // the item shown at k is the target at L + k
                        Assert.Equal(0, data.Target[shown * w + j]);
                        Assert.Equal(0, data.X[asked * w + j]);
                    }
                    for (int p = 0; p < l; p++)
                    {
                        Assert.Equal(p == k ? 1 : 0, data.Pos[shown * l + p]);
                        Assert.Equal(p == k ? 1 : 0, data.Pos[asked * l + p]);
                    }
                }
            double ones = data.X.Sum() / (batch * l * w);
            Assert.InRange(ones, 0.25, 0.75);
            Assert.Throws<TrainingException>(() => TapeCopyTask.Draw(batch, time - 1, new Random(5)));
        }

        [Fact]
        public void A_short_run_lowers_the_loss_and_measures_the_held_out_sequences()
        {
            var cell = CellCompiler.Compile<float>(Target.Value)(8, 16, 16);
            var task = new TapeCopyTask();
            var trainer = new Trainer<float>(cell, task, new Adam(cell.ParameterVector.Length, 1e-2), seed: 4);
            var trainTarget = cell.Input("target").ToArray();
            // at chance the loss is ln 2 / 2 (BCE ln 2 on the recall half of the steps)
            Assert.InRange(trainer.Evaluate(), 0.2, 0.6);
            for (int i = 0; i < 200; i++) trainer.Epoch();
            double final = trainer.Evaluate();
            Assert.True(final < 0.8 * trainer.Curve[0], $"first {trainer.Curve[0]}, final {final}");
            var metrics = new Dictionary<string, double>();
            task.Measure(cell, metrics);
            Assert.NotEqual(trainTarget, cell.Input("target").ToArray());
            Assert.InRange(metrics["train_copy_accuracy"], 0.6, 1.0);
            Assert.InRange(metrics["copy_accuracy"], 0.55, 1.0);
            Assert.True(double.IsFinite(metrics["test_loss"]));
        }

        /// <summary>
        /// Random weights, inputs and initial tape, the objective sum(c * outputs) with random c (the objective bce
        /// among the outputs): the generated cell and the reference adjoint (one sample at a time) agree on the outputs
        /// and final tape bit for bit, and on the gradient of every weight, every input at every step and the initial tape.
        /// </summary>
        [Theory]
        [InlineData(2, 16, 31)]
        [InlineData(3, 5, 32)]
        public void Generated_adjoint_agrees_with_the_reference_adjoint(int batch, int time, int seed)
        {
            var unit = Target.Value.Unit;
            var rng = new Random(seed);
            double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            var cell = CellCompiler.Compile<double>(Target.Value)(batch, time, 0);
            foreach (var p in cell.Parameters)
            {
                var values = cell.Parameter(p.Name);
                double scale = 1.0 / Math.Sqrt(p.Shape.Length == 2 ? p.Shape[1] : 4);
                for (int i = 0; i < values.Length; i++) values[i] = scale * Normal();
            }
            foreach (var input in unit.Inputs)
            {
                var values = cell.Input(input.Name);
                for (int i = 0; i < values.Length; i++) values[i] = Normal();
            }
            var tape0 = cell.InitialState("M");
            for (int i = 0; i < tape0.Length; i++) tape0[i] = 0.3 * Normal();
            var c = unit.Signals.ToDictionary(s => s.Name, s => Enumerable.Range(0, cell.Output(s.Name).Length).Select(_ => Normal()).ToArray());
            Assert.Contains("bce", c.Keys);
            cell.Objective = null;
            cell.Forward();
            foreach (var (name, weights) in c) weights.CopyTo(cell.OutputGradient(name));
            cell.ZeroGrad();
            cell.Backward();

            var tape = new Tape();
            var given = cell.Parameters.ToDictionary(p => p.Name, p => cell.Parameter(p.Name).ToArray());
            Assert.DoesNotContain(unit.Params, p => p.Type.Scalar == ScalarType.Real);   // only net weights
            var parameters = AdjointParameters.Create(tape, unit, null, new Dictionary<string, double[]>(), given);
            var terms = new List<(TapeValue Value, double[] Weight)>();
            var cells = new AdjointInterpreter[batch];
            for (int b = 0; b < batch; b++)
            {
                var initial = new Dictionary<string, double[]> { ["M"] = Sample(cell.InitialState("M").ToArray(), b, batch) };
                cells[b] = new AdjointInterpreter(unit, parameters, null, new Dictionary<string, double[]>(), initial);
                for (int t = 0; t < time; t++)
                {
                    cells[b].Step(unit.Inputs.ToDictionary(i => i.Name, i => Step(cell.Input(i.Name).ToArray(), t, b, batch, time)));
                    foreach (var s in unit.Signals)
                    {
                        var v = cells[b].Get(s.Name);
                        Assert.True(v.Value.SequenceEqual(Step(cell.Output(s.Name).ToArray(), t, b, batch, time)), $"output {s.Name} at t {t}, b {b}");
                        terms.Add((v, Step(c[s.Name], t, b, batch, time)));
                    }
                }
                Assert.Equal(cells[b].Get("M").Value, Sample(cell.FinalState("M").ToArray(), b, batch));
            }
            double total = terms.Sum(x => x.Value.Value.Select((v, i) => v * x.Weight[i]).Sum());
            tape.Backward(tape.Record(new[] { total }, r => { foreach (var (v, w) in terms) v.AddGrad(w.Select(x => x * r.Grad![0]).ToArray()); }));

            Assert.Equal(10, parameters.Weights.Count);   // 5 nets, weight and bias each
            foreach (var (name, leaf) in parameters.Weights) Close(leaf.GradOrZeros, cell.Gradient(name).ToArray(), "grad " + name);
            for (int b = 0; b < batch; b++)
            {
                Close(cells[b].InitialState["M"].GradOrZeros, Sample(cell.InitialStateGradient("M").ToArray(), b, batch), $"grad initial M, b {b}");
                for (int t = 0; t < time; t++)
                    foreach (var i in unit.Inputs)
                        Close(cells[b].Inputs[t][i.Name].GradOrZeros, Step(cell.InputGradient(i.Name).ToArray(), t, b, batch, time), $"grad input {i.Name} at t {t}, b {b}");
            }
            // the tape carries gradient back through time: the initial tape's gradient is not all zero
            Assert.Contains(cell.InitialStateGradient("M").ToArray(), g => Math.Abs(g) > 1e-6);
        }

        private static double[] Sample(double[] all, int b, int batch) => all.Skip(b * (all.Length / batch)).Take(all.Length / batch).ToArray();

        private static double[] Step(double[] all, int t, int b, int batch, int time)
        {
            int n = all.Length / (batch * time);
            return all.Skip((t * batch + b) * n).Take(n).ToArray();
        }

        private static void Close(double[] expected, double[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i], a = actual[i];
                Assert.True(Math.Abs(e - a) <= 1e-12 || Math.Abs(e - a) <= 1e-10 * Math.Abs(e), $"{what}[{i}]: reference {e:R}, generated {a:R}");
            }
        }
    }
}
