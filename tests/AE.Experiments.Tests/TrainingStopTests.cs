using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.Text;
using AE.Experiments.Baselines;
using AE.Experiments.Cells;
using AE.Experiments.Training;
using AE.Runtime;
using AE.Runtime.Cells;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>
    /// <see cref="Trainer{T}.Stop"/>: a loss, a gradient or a step's parameter that is not finite stops the run and leaves
    /// finite parameters whose loss is finite (the run wrote NaN weights while saying they were the last finite ones).
    /// </summary>
    public class TrainingStopTests
    {
        /// <summary>
        /// d/dk of 0.001 log(k) is 0.001 / k: at lr 1 Adam's first step takes k below 0, the projection puts it at the open
        /// end's nearest value (the smallest subnormal), and there the gradient overflows.
        /// </summary>
        private const string LogParam = """
            cell LogParam {
              input x: real[8];
              input target: real[8];
              param k in (0, 1] = 0.5;
              net W: linear(8 -> 8);
              signal y: real[8];
              objective mse: real;
              update { y = W(x); mse = mean((y - target) ^ 2) + k + 0.001 * log(k); }
            }
            """;

        private const string Linear = """
            cell Plain {
              input x: real[8];
              input target: real[8];
              net W: linear(8 -> 8);
              signal y: real[8];
              objective mse: real;
              update { y = W(x); mse = mean((y - target) ^ 2); }
            }
            """;

        private static ICell<T> Build<T>(string source) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var result = AeCompiler.Check(SourceFile.FromBytes("cell.ae", System.Text.Encoding.UTF8.GetBytes(source)));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            return CellCompiler.Compile<T>(EmitTarget.Of(result.Program!).Single())(4, 6, 6);
        }

        private static bool AllFinite<T>(Span<T> values) where T : unmanaged, IFloatingPointIeee754<T>
        {
            foreach (var v in values) if (!T.IsFinite(v)) return false;
            return true;
        }

        /// <summary>Runs epochs until the run stops (at most <paramref name="epochs"/>); the parameters and the optimizer's state before the last epoch run.</summary>
        private static (T[] Theta, byte[] State) RunToStop<T>(Trainer<T> trainer, int epochs, bool saveState = true) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] theta = Array.Empty<T>();
            byte[] state = Array.Empty<byte>();
            for (int i = 0; i < epochs && trainer.Stop is null; i++)
            {
                theta = trainer.Cell.ParameterVector.ToArray();
                if (saveState) state = LawState.Save(trainer.Optimizer);
                trainer.Epoch();
            }
            Assert.NotNull(trainer.Stop);
            return (theta, state);
        }

        [Fact]
        public void A_gradient_that_is_not_finite_stops_the_run_before_its_step()
        {
            void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
            {
                var cell = Build<T>(LogParam);
                var trainer = new Trainer<T>(cell, new AmeSequenceTask(), new Adam(cell.ParameterVector.Length, 1.0), seed: 0);
                var (theta, state) = RunToStop(trainer, 20);
                var stop = trainer.Stop!;
                Assert.Equal(TrainingStopKind.Gradient, stop.Kind);
                Assert.Equal("k", stop.Parameter);
                Assert.Null(stop.Index);
                Assert.Equal(double.PositiveInfinity, stop.Value);
                Assert.Equal("the gradient of 'k' is not finite (inf)", stop.Text);
                Assert.InRange(stop.Epoch, 2, 20);
                Assert.Equal(stop.Epoch, stop.KeptBefore);
                // No step: the parameters and the optimizer's state are those the epoch started with, and finite.
                Assert.Equal(theta, cell.ParameterVector.ToArray());
                Assert.Equal(state, LawState.Save(trainer.Optimizer));
                Assert.True(AllFinite(cell.ParameterVector));
                Assert.Equal(stop.Epoch, trainer.Curve.Count);
                Assert.True(trainer.Curve.All(double.IsFinite));
                Assert.Equal(trainer.Curve[^1], trainer.FinalLoss());
                Assert.Same(stop, trainer.Stop);
                Assert.Throws<InvalidOperationException>(() => trainer.Epoch());
            }
            Check<float>();
            Check<double>();
        }

        [Fact]
        public void A_loss_that_is_not_finite_puts_back_the_parameters_from_before_the_last_step()
        {
            var cell = Build<float>(Linear);
            // Weights near 1e30 after the first step: their squared error overflows float32.
            var trainer = new Trainer<float>(cell, new AmeSequenceTask(), new SgdMomentum(cell.ParameterVector.Length, 1e30, 0.9), seed: 3);
            var start = cell.ParameterVector.ToArray();
            RunToStop(trainer, 5);
            var stop = trainer.Stop!;
            Assert.Equal(TrainingStopKind.Loss, stop.Kind);
            Assert.Equal(2, stop.Epoch);
            Assert.Equal(1, stop.KeptBefore);
            Assert.False(double.IsFinite(trainer.Curve[1]));
            Assert.Equal(start, cell.ParameterVector.ToArray());
            Assert.Equal(trainer.Curve[0], trainer.FinalLoss());
        }

        /// <summary>SGD with momentum that writes NaN into one value at one of its steps: a law whose step goes wrong.</summary>
        private sealed class NanAt : IOptimizerLaw
        {
            private readonly SgdMomentum _inner;
            private readonly long _step;
            private readonly int _index;

            public NanAt(int n, long step, int index) { _inner = new SgdMomentum(n, 1e-3, 0.9); _step = step; _index = index; }

            public string LawName => "NanAt";
            public int Dimension => _inner.Dimension;
            public long StepCount => _inner.StepCount;
            public IReadOnlyList<string> SignalNames => _inner.SignalNames;
            public IReadOnlyList<string> RuleIds => _inner.RuleIds;
            public double ReadSignal(int index) => _inner.ReadSignal(index);
            public void SetRule(string id, bool enabled) => _inner.SetRule(id, enabled);

            public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta)
            {
                _inner.Step(loss, grad, theta);
                if (_inner.StepCount == _step) theta[_index] = double.NaN;
            }

            public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta)
            {
                _inner.Step(loss, grad, theta);
                if (_inner.StepCount == _step) theta[_index] = float.NaN;
            }
        }

        [Fact]
        public void A_step_that_writes_a_value_that_is_not_finite_is_undone_and_named()
        {
            var cell = Build<double>(Linear);
            int index = 5;
            Assert.Equal("W.weight", cell.Parameters[0].Name);
            var trainer = new Trainer<double>(cell, new AmeSequenceTask(), new NanAt(cell.ParameterVector.Length, 3, index), seed: 1);
            var (theta, _) = RunToStop(trainer, 10, saveState: false);
            var stop = trainer.Stop!;
            Assert.Equal(new TrainingStop(3, TrainingStopKind.Step, double.NaN, "W.weight", index, 3), stop);
            Assert.Equal("the step wrote nan into 'W.weight' at index 5", stop.Text);
            Assert.Equal(theta, cell.ParameterVector.ToArray());
            Assert.Equal(3, trainer.Curve.Count);
            Assert.Equal(trainer.Curve[2], trainer.FinalLoss());
        }

        [Fact]
        public void A_final_loss_that_is_not_finite_puts_back_the_parameters_from_before_the_last_step()
        {
            var cell = Build<float>(Linear);
            var trainer = new Trainer<float>(cell, new AmeSequenceTask(), new SgdMomentum(cell.ParameterVector.Length, 1e30, 0.9), seed: 3);
            var start = cell.ParameterVector.ToArray();
            trainer.Epoch();
            Assert.Null(trainer.Stop);
            Assert.False(double.IsFinite(trainer.Evaluate()));
            Assert.Equal(trainer.Curve[0], trainer.FinalLoss());
            Assert.Equal(start, cell.ParameterVector.ToArray());
            var stop = trainer.Stop!;
            Assert.Equal(TrainingStopKind.FinalLoss, stop.Kind);
            Assert.Equal((1, 1), (stop.Epoch, stop.KeptBefore));
            Assert.StartsWith("the loss after the step of epoch 1 is ", stop.Text, StringComparison.Ordinal);
        }

        [Fact]
        public void A_cell_with_no_real_parameter_is_refused_before_the_optimizer_is_asked_to_step_it()
        {
            var cell = Build<float>("cell Still {\n  param s: int = 2;\n  input x: real[8];\n  input target: real[8];\n  signal y: real[8];\n  objective mse: real;\n"
                + "  update { y = s * x; mse = mean((y - target) ^ 2); }\n}\n");
            Assert.Equal("the cell Still has nothing to train: it declares no real param and no net", Trainer<float>.NothingToTrain(cell));
            Assert.Equal(0, cell.ParameterVector.Length);
            // Adam refuses to step no values: a one-value Adam shows that the cell is refused first.
            var ex = Assert.Throws<TrainingException>(() => new Trainer<float>(cell, new AmeSequenceTask(), new Adam(1), seed: 0));
            Assert.Equal("the cell Still has nothing to train: it declares no real param and no net", ex.Message);
            Assert.Null(Trainer<float>.NothingToTrain(Build<float>(Linear)));
        }

        [Fact]
        public void A_checkpoint_keeps_the_stop()
        {
            var task = new AmeSequenceTask();
            var identity = new CheckpointIdentity("LogParam", "hash", task.Name, "f32", 4, 6, 0, "adam");
            var cell = Build<float>(LogParam);
            var trainer = new Trainer<float>(cell, task, new Adam(cell.ParameterVector.Length, 1.0), seed: 0);
            RunToStop(trainer, 20);
            string path = Path.Combine(Path.GetTempPath(), "ae-stop-" + Guid.NewGuid().ToString("N") + ".aetrain");
            try
            {
                TrainingCheckpoint.Save(path, identity, trainer, "test-run");
                var fresh = Build<float>(LogParam);
                var resumed = new Trainer<float>(fresh, new AmeSequenceTask(), new Adam(fresh.ParameterVector.Length, 1.0), seed: 0);
                Assert.Null(resumed.Stop);
                TrainingCheckpoint.Load(path, identity, resumed);
                Assert.Equal(trainer.Stop, resumed.Stop);
                Assert.Equal(cell.ParameterVector.ToArray(), fresh.ParameterVector.ToArray());
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
