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
            Assert.Contains(unit.Signals, s => s.Name == "bce");
            Assert.DoesNotContain(unit.Params, p => p.Type.Scalar == ScalarType.Real);   // only net weights
            var cell = GeneratedCellTests.AgreesWithTheReference(Target.Value, batch, time, seed, (c, normal) =>
            {
                var tape0 = c.InitialState("M");
                for (int i = 0; i < tape0.Length; i++) tape0[i] = 0.3 * normal();
            });
            Assert.Equal(10, cell.Parameters.Count);   // 5 nets, weight and bias each
            // the tape carries gradient back through time: the initial tape's gradient is not all zero
            Assert.Contains(cell.InitialStateGradient("M").ToArray(), g => Math.Abs(g) > 1e-6);
        }
    }
}
