using System;
using System.IO;
using System.Linq;
using System.Numerics;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.Text;
using AE.Experiments.Baselines;
using AE.Experiments.Cells;
using AE.Experiments.Compilation;
using AE.Experiments.Replay;
using AE.Experiments.Training;
using AE.Runtime;
using AE.Runtime.Cells;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary><see cref="Trainer{T}"/>, the training tasks and <see cref="TrainingCheckpoint"/> on short runs of the shipped cells.</summary>
    public class TrainingTests
    {
        private static readonly Lazy<Func<int, int, int, ICell<double>>> Synth64 = new(() => Compile<double>("amed_synth.ae"));
        private static readonly Lazy<Func<int, int, int, ICell<float>>> Synth32 = new(() => Compile<float>("amed_synth.ae"));
        private static readonly Lazy<Func<int, int, int, ICell<float>>> Residual32 = new(() => Compile<float>("residual_dynamics.ae"));
        private static readonly Lazy<Func<int, int, int, ICell<float>>> AmeLayer32 = new(() => Compile<float>("ame_layer.ae"));
        private static readonly Lazy<CompiledLaw> Sgdm = new(() => CompiledLaw.Load(new[] { Path.Combine(RepoPaths.Root, "laws", "ae_sgdm.ae") }, null, RepoPaths.Root));

        private static Func<int, int, int, ICell<T>> Compile<T>(string file) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var path = Path.Combine(RepoPaths.Root, "cells", file);
            var result = AeCompiler.Check(SourceFile.FromBytes(Path.Combine("cells", file), File.ReadAllBytes(path)));
            Assert.False(result.HasErrors);
            return CellCompiler.Compile<T>(EmitTarget.Of(result.Program!).Single());
        }

        [Fact]
        public void A_short_run_of_sine_synth_lowers_the_loss()
        {
            var cell = Synth32.Value(1, 200, 200);
            var trainer = new Trainer<float>(cell, new SineSynthTask(), new Adam(cell.ParameterVector.Length, 1e-2), seed: 3);
            for (int i = 0; i < 15; i++) trainer.Epoch();
            double final = trainer.Evaluate();
            Assert.True(final < 0.5 * trainer.Curve[0], $"first {trainer.Curve[0]}, final {final}");
        }

        [Fact]
        public void A_short_run_of_residual_dynamics_lowers_the_loss_and_leaves_alpha_fixed()
        {
            var cell = Residual32.Value(4, 30, 30);
            var trainer = new Trainer<float>(cell, new ResidualDynamicsTask(), new Adam(cell.ParameterVector.Length, 1e-2), seed: 1);
            var alpha = cell.Parameter("alpha").ToArray();
            Assert.Equal(new[] { 0.1f, 0.5f, 0.9f }, alpha);
            for (int i = 0; i < 15; i++) trainer.Epoch();
            double final = trainer.Evaluate();
            Assert.True(final < trainer.Curve[0], $"first {trainer.Curve[0]}, final {final}");
            Assert.Equal(alpha, cell.Parameter("alpha").ToArray());
        }

        private const string RangedCell = """
            cell Ranged {
              dim d = 8;
              input x: real[d];
              input target: real[d];
              param k in (0, 1] = 0.9;
              param p2 in [0.5, 3] = 0.7;
              net r: linear(d -> d);
              signal y: real[d];
              objective loss: real;
              update { y = r(x) * sqrt(1.5 - k) * p2; loss = mean((y - target) ^ 2) - k + p2; }
            }
            """;

        private static ICell<T> Ranged<T>(int batch, int time) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var result = AeCompiler.Check(SourceFile.FromBytes("ranged.ae", System.Text.Encoding.UTF8.GetBytes(RangedCell)));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            return CellCompiler.Compile<T>(EmitTarget.Of(result.Program!).Single())(batch, time, 0);
        }

        /// <summary>
        /// Training keeps a real param in its declared range, which the checker relied on: the loss pulls k up past 1 and
        /// p2 down past 0.5 (each Adam step moves them by about the learning rate, 30 steps of 0.01), and they stop at the
        /// range's ends, in float32 and float64.
        /// </summary>
        [Fact]
        public void Training_keeps_a_param_in_its_declared_range()
        {
            void Train<T>() where T : unmanaged, IFloatingPointIeee754<T>
            {
                var task = new AmeSequenceTask();
                var cell = Ranged<T>(4, 12);
                var trainer = new Trainer<T>(cell, task, new Adam(cell.ParameterVector.Length, 1e-2), seed: 2);
                for (int i = 0; i < 30; i++) trainer.Epoch();
                Assert.Equal(1.0, double.CreateTruncating(cell.Parameter("k")[0]));
                Assert.Equal(0.5, double.CreateTruncating(cell.Parameter("p2")[0]));
                Assert.True(trainer.Curve.All(double.IsFinite));
            }
            Train<double>();
            Train<float>();
        }

        /// <summary>
        /// A declared value that float32 rounds out of the param's range (1e-50 in (0, 1] is 0) starts at the nearest value
        /// inside: training wrote weights with e = 0, which it then refused to load with --init.
        /// </summary>
        [Fact]
        public void A_declared_value_float32_rounds_out_of_its_range_starts_inside()
        {
            var result = AeCompiler.Check(SourceFile.FromBytes("tiny.ae", System.Text.Encoding.UTF8.GetBytes(
                "cell Tiny {\n  dim d = 8;\n  input x: real[d];\n  input target: real[d];\n  param e in (0, 1] = 1e-50;\n  net r: linear(d -> d);\n  signal y: real[d];\n"
                + "  objective loss: real;\n  update { y = r(x) * (1 + e); loss = mean((y - target) ^ 2); }\n}\n")));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            var cell = CellCompiler.Compile<float>(EmitTarget.Of(result.Program!).Single())(2, 3, 0);
            Assert.Equal(0f, cell.Parameter("e")[0]);   // the declared value, in float32
            _ = new Trainer<float>(cell, new AmeSequenceTask(), new Adam(cell.ParameterVector.Length), seed: 1);
            Assert.Equal(float.Epsilon, cell.Parameter("e")[0]);
            var loaded = CellCompiler.Compile<float>(EmitTarget.Of(result.Program!).Single())(2, 3, 0);
            CellParameters.Load(loaded, CellParameters.ToTensors(cell));
        }

        /// <summary>
        /// A value outside a param's range is moved to the nearest value of the cell's precision inside it: an end that
        /// the precision rounds outside (0.7 in float32 is below 0.7) or an open end (0 in (0, 1]) is stepped inside.
        /// </summary>
        [Fact]
        public void A_projection_is_the_nearest_value_inside_the_range()
        {
            var closed = new CellRange(0.7, 1, false, false);
            float lo = closed.Nearest(0.5f);
            Assert.Equal(float.BitIncrement(0.7f), lo);
            Assert.True(lo >= 0.7 && (double)float.BitDecrement(lo) < 0.7);
            Assert.Equal(1f, closed.Nearest(3f));
            Assert.Equal(0.8f, closed.Nearest(0.8f));
            var open = new CellRange(0, 1, true, false);
            Assert.Equal(double.Epsilon, open.Nearest(-2.0));
            Assert.Equal(float.Epsilon, open.Nearest(0f));
            Assert.True(double.IsNaN(open.Nearest(double.NaN)));
            Assert.Equal("(0, 1]", open.ToString());
        }

        /// <summary>Weights whose param lies outside its declared range are refused when loaded (ae train --init), naming it.</summary>
        [Fact]
        public void Weights_with_a_param_outside_its_range_are_refused()
        {
            var cell = Ranged<double>(2, 3);
            var tensors = CellParameters.ToTensors(cell);
            var path = Path.Combine(Path.GetTempPath(), "ae-ranged-" + Guid.NewGuid().ToString("N") + ".safetensors");
            try
            {
                cell.Parameter("k")[0] = 1.25;
                CellParameters.Save(cell, path);
                var fresh = Ranged<double>(2, 3);
                var ex = Assert.Throws<CellParameterException>(() => CellParameters.Load(fresh, path));
                Assert.Equal(path + ": 'k' holds 1.25 at index 0, outside its declared range (0, 1]", ex.Message);
                CellParameters.Load(fresh, tensors);
                Assert.Equal(0.9, fresh.Parameter("k")[0]);
            }
            finally
            {
                File.Delete(path);
            }
        }

        /// <summary>
        /// A float64 file's value inside an open end that float32 rounds onto it (1e-50 for k in (0, 1] is 0 in float32) is
        /// loaded as the nearest float32 inside, as training keeps it; it was refused as "outside" while the file's value was in.
        /// </summary>
        [Fact]
        public void A_value_inside_its_range_that_the_cell_s_precision_rounds_onto_an_open_end_loads_as_the_nearest_inside()
        {
            var wide = Ranged<double>(2, 3);
            wide.Parameter("k")[0] = 1e-50;
            var narrow = Ranged<float>(2, 3);
            CellParameters.Load(narrow, CellParameters.ToTensors(wide));
            Assert.Equal(float.Epsilon, narrow.Parameter("k")[0]);
        }

        /// <summary>A cell param whose range reads another param is not emitted (AE0080): training moves both, so the range would move under the values it keeps.</summary>
        [Fact]
        public void A_param_range_that_reads_a_param_is_refused_by_the_cell_backend()
        {
            var result = AeCompiler.Check(SourceFile.FromBytes("moving.ae", System.Text.Encoding.UTF8.GetBytes(
                "cell Moving {\n  param hi = 1;\n  param k in [0, hi] = 0.5;\n  input x: real[2];\n  signal y: real[2];\n  update { y = k * hi * x; }\n}\n")));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            var ex = Assert.Throws<EmitNotSupportedException>(() => CellCompiler.Compile<double>(EmitTarget.Of(result.Program!).Single()));
            Assert.Equal("the range of param 'k' reads the param 'hi', which training changes too; a cell's param ranges have constant ends (the range a trained param is kept in)", ex.Message);
        }

        [Fact]
        public void A_short_run_of_ame_sequence_lowers_the_loss_and_measures_the_held_out_split()
        {
            var cell = AmeLayer32.Value(4, 12, 12);
            var task = new AmeSequenceTask();
            var trainer = new Trainer<float>(cell, task, new Adam(cell.ParameterVector.Length, 1e-2), seed: 2);
            // the target is the input one step on: x at t + 1 is the target at t
            Assert.Equal(cell.Input("x").Slice(4 * 8, 4 * 8).ToArray(), cell.Input("target").Slice(0, 4 * 8).ToArray());
            var trainX = cell.Input("x").ToArray();
            for (int i = 0; i < 10; i++) trainer.Epoch();
            double final = trainer.Evaluate();
            Assert.True(final < trainer.Curve[0], $"first {trainer.Curve[0]}, final {final}");
            var metrics = new System.Collections.Generic.Dictionary<string, double>();
            task.Measure(cell, metrics);
            // AMELayer's objective is the MSE itself: the same value, summed in another order from float32 outputs
            Assert.True(Math.Abs(final - metrics["train_mse"]) <= 1e-6 * final, $"loss {final}, train_mse {metrics["train_mse"]}");
            Assert.NotEqual(trainX, cell.Input("x").ToArray());          // the test split is other sequences
            Assert.True(double.IsFinite(metrics["test_mse"]) && metrics["test_mse"] != final);
            Assert.InRange(metrics["persistence_test_mse"], 1e-3, 1.0);
        }

        /// <summary>train_mse and test_mse are the MSE of y against the target, not the cell's objective: a cell whose objective is twice the MSE reports half its loss.</summary>
        [Fact]
        public void The_sequence_metrics_are_the_mse_of_the_output_whatever_the_objective()
        {
            var result = AeCompiler.Check(new SourceFile("twice.ae", "cell Twice {\n  input x: real[8];\n  input target: real[8];\n  state s: real[8] = 0;\n  net f: linear(16 -> 8);\n  signal y: real[8];\n  objective twice: real;\n"
                + "  update {\n    s' = tanh(f(concat(x, s)));\n    y = s';\n    twice = 2 * mean((y - target) ^ 2);\n  }\n}\n"));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            var cell = CellCompiler.Compile<double>(EmitTarget.Of(result.Program!).Single())(3, 7, 0);
            var task = new AmeSequenceTask();
            var trainer = new Trainer<double>(cell, task, new Adam(cell.ParameterVector.Length, 1e-2), seed: 4);
            trainer.Epoch();
            double loss = trainer.Evaluate();
            var metrics = new System.Collections.Generic.Dictionary<string, double>();
            task.Measure(cell, metrics);
            Assert.Equal(loss / 2, metrics["train_mse"], 12);
            Assert.Equal(cell.Loss / 2, metrics["test_mse"], 12);
        }

        [Fact]
        public void The_residual_task_writes_the_seeds_data()
        {
            var cell = Residual32.Value(5, 7, 7);
            _ = new Trainer<float>(cell, new ResidualDynamicsTask(), new Adam(cell.ParameterVector.Length), seed: 2);
            Assert.All(cell.Input("y_t").ToArray().Concat(cell.Input("r_t").ToArray()), v => Assert.InRange(v, 0f, 1f));
            var n = cell.InitialState("N");
            for (int b = 0; b < 5; b++)
            {
                // softmax of values in [0, 1): positive, summing to 1, no ratio above e
                var row = n.Slice(b * 3, 3).ToArray();
                Assert.Equal(1.0, row.Sum(v => (double)v), 6);
                Assert.True(row.Max() / row.Min() < Math.E);
            }
            Assert.All(cell.InitialState("g").ToArray(), v => Assert.Equal(0f, v));
        }

        [Fact]
        public void The_spectrum_finds_a_440_Hz_tone_and_not_in_a_random_walk()
        {
            var sine = Enumerable.Range(0, 8000).Select(t => 0.7 * Math.Sin(2 * Math.PI * 440 * t / 8000.0) + 0.2).ToArray();
            var (hz, share) = SineSynthTask.Spectrum(sine, 8000, 440);
            Assert.Equal(440, hz);
            Assert.True(share > 0.999, share.ToString());
            var other = Enumerable.Range(0, 8000).Select(t => Math.Sin(2 * Math.PI * 1000 * t / 8000.0)).ToArray();
            (hz, share) = SineSynthTask.Spectrum(other, 8000, 440);
            Assert.Equal(1000, hz);
            Assert.True(share < 1e-6, share.ToString());
            var random = new Random(1);
            double walk = 0;
            var steps = Enumerable.Range(0, 8000).Select(_ => walk += random.NextDouble() - 0.5).ToArray();
            (hz, share) = SineSynthTask.Spectrum(steps, 8000, 440);
            Assert.InRange(hz, 1, 20);                    // a walk's power lies at the lowest frequencies
            Assert.True(share < 1e-3, share.ToString());
        }

        /// <summary>
        /// The target is 440 periods over the sequence whatever T, so at 8 kHz it sounds at 440 · 8000 / (T − 1) Hz, folded
        /// below 4 kHz. tone_share was measured at the unfolded frequency (8.8 kHz at T 400, where no bin is) and said 0 for
        /// an output equal to the target, beside a dominant_hz on the 8 kHz scale.
        /// </summary>
        [Fact]
        public void The_tone_share_of_a_short_sequence_is_measured_at_the_pitch_its_target_plays()
        {
            Assert.Equal(440 * 8000 / 7999.0, SineSynthTask.TargetHz(8000), 9);
            Assert.Equal((440 / 399.0 - 1) * 8000, SineSynthTask.TargetHz(400), 9);   // 822 Hz: 1.1 periods per sample
            Assert.Equal(4000, SineSynthTask.TargetHz(881), 9);
            Assert.True(double.IsNaN(SineSynthTask.TargetHz(1)));

            var result = AeCompiler.Check(SourceFile.FromBytes("echo.ae", System.Text.Encoding.UTF8.GetBytes(
                "cell Echo {\n  input eps: real[1];\n  input target: real[1];\n  param a = 1;\n  signal y: real[1];\n  objective mse: real;\n"
                + "  update { y = a * target + 0 * eps; mse = mean((y - target) ^ 2); }\n}\n")));
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            var make = CellCompiler.Compile<double>(EmitTarget.Of(result.Program!).Single());
            foreach (int time in new[] { 400, 800, 8000 })
            {
                var cell = make(1, time, time);
                var task = new SineSynthTask();
                task.Prepare(cell, new Random(1));
                cell.Forward();   // an output equal to the target
                var metrics = new System.Collections.Generic.Dictionary<string, double>();
                task.Measure(cell, metrics);
                Assert.Equal(SineSynthTask.TargetHz(time), metrics["target_hz"]);
                Assert.True(metrics["tone_share"] > 0.9, time + ": " + metrics["tone_share"]);
                Assert.InRange(metrics["dominant_hz"], metrics["target_hz"] - 8000.0 / time, metrics["target_hz"] + 8000.0 / time);
            }

            // A tone between two bins 20 Hz apart (T 400) has its power in both, neither within 5 Hz of it.
            var between = Enumerable.Range(0, 400).Select(t => Math.Sin(2 * Math.PI * 830 * t / 8000.0)).ToArray();
            var (hz, share) = SineSynthTask.Spectrum(between, 8000, 830);
            Assert.Contains(hz, new[] { 820.0, 840.0 });
            Assert.True(share > 0.75, share.ToString());
        }

        [Fact]
        public void The_synth_can_hold_a_440_Hz_tone_and_its_default_start_is_a_walk()
        {
            // Hand-set weights: f_net(C) = 0.3 - 13.956 tanh(C) through one hidden unit, sigma_net at the floor 1e-3, d_net 0.
            // C integrates 0.01 tanh(theta) and the drift pulls theta back against it: an oscillator whose linearised map has
            // cos(omega) = 1 - 0.005 k, near 440 Hz at 8 kHz for k = 11.8; the tanh's and the dither's effect raise it to 14.
            var cell = Synth64.Value(1, 8000, 8000);
            var task = new SineSynthTask();
            var trainer = new Trainer<double>(cell, task, new Adam(cell.ParameterVector.Length), seed: 0);
            var metrics = new System.Collections.Generic.Dictionary<string, double>();
            trainer.Evaluate();
            task.Measure(cell, metrics);
            Assert.InRange(metrics["dominant_hz"], 0, 20);   // PyTorch's default start: a random walk
            Assert.True(metrics["tone_share"] < 1e-3);

            cell.ParameterVector.Clear();
            cell.Parameter("f_net.0.weight")[0] = 1;
            cell.Parameter("f_net.2.weight")[0] = -13.955592418674478;
            cell.Parameter("f_net.2.bias")[0] = 0.3;
            cell.Parameter("sigma_net.2.bias")[0] = -30;
            trainer.Evaluate();
            task.Measure(cell, metrics);
            Assert.InRange(metrics["dominant_hz"], 436, 444);
            Assert.True(metrics["tone_share"] > 0.8, metrics["tone_share"].ToString());
        }

        [Fact]
        public void The_sine_target_is_440_Hz_over_one_second_and_eps_is_standard_normal()
        {
            var cell = Synth64.Value(1, 8000, 8000);
            _ = new Trainer<double>(cell, new SineSynthTask(), new Adam(cell.ParameterVector.Length), seed: 0);
            var target = cell.Input("target");
            Assert.Equal(0.0, target[0], 12);
            // a quarter period of 440 Hz is 1/1760 s: the sample nearest to it is near 1
            int quarter = (int)Math.Round(7999 / 1760.0);
            Assert.True(target[quarter] > 0.95);
            var eps = cell.Input("eps").ToArray();
            double mean = eps.Average(), variance = eps.Select(e => (e - mean) * (e - mean)).Average();
            Assert.InRange(mean, -0.05, 0.05);
            Assert.InRange(variance, 0.95, 1.05);
        }

        [Fact]
        public void The_saw_and_square_variants_follow_their_wave_forms()
        {
            // T = 1761: sample t is at t / 1760 s, a quarter period of 440 Hz per sample.
            var saw = new SineSynthTask(SineSynthTask.Wave.Saw);
            var square = new SineSynthTask(SineSynthTask.Wave.Square);
            Assert.Equal(new[] { "sine-synth", "saw-synth", "square-synth" }, TrainingTasks.Names.Take(3));
            Assert.Equal(new[] { -1, -0.5, 0, 0.5, -1 }, Enumerable.Range(0, 5).Select(t => Math.Round(saw.Target(t, 1761), 12)));
            Assert.Equal(new[] { 1.0, -1, 1, -1 }, new[] { 1, 3, 5, 7 }.Select(t => square.Target(t, 1761)));
            Assert.Equal(1.0, new SineSynthTask().Target(1, 1761), 12);
        }

        [Fact]
        public void Adams_first_step_moves_every_parameter_by_the_learning_rate_against_its_gradient()
        {
            // Adam's bias-corrected first step is lr * g / (|g| + eps): lr times the gradient's sign wherever |g| >> eps.
            const double lr = 1e-3;
            var probe = Synth64.Value(2, 40, 40);
            _ = new Trainer<double>(probe, new SineSynthTask(), new Adam(probe.ParameterVector.Length, lr), seed: 5);
            probe.Forward();
            probe.ZeroGrad();
            probe.Backward();
            var grad = probe.GradientVector.ToArray();

            var cell = Synth64.Value(2, 40, 40);
            var trainer = new Trainer<double>(cell, new SineSynthTask(), new Adam(cell.ParameterVector.Length, lr), seed: 5);
            var before = cell.ParameterVector.ToArray();
            Assert.Equal(probe.ParameterVector.ToArray(), before);
            trainer.Epoch();
            var after = cell.ParameterVector.ToArray();
            for (int i = 0; i < grad.Length; i++)
            {
                Assert.True(Math.Abs(grad[i]) > 1e-4, "a gradient too small for the sign rule at " + i);
                Assert.Equal(-lr * Math.Sign(grad[i]), after[i] - before[i], 1e-9);
            }
        }

        [Fact]
        public void Clipping_scales_the_gradient_to_the_norm_as_PyTorch()
        {
            var g = new[] { 3.0, 4.0 };            // norm 5
            Trainer<double>.ClipNorm(g, 1.0);
            Assert.Equal(3 / (5 + 1e-6), g[0], 15);
            Assert.Equal(4 / (5 + 1e-6), g[1], 15);
            var small = new[] { 0.3, 0.4 };        // norm 0.5: left as it is
            Trainer<double>.ClipNorm(small, 1.0);
            Assert.Equal(new[] { 0.3, 0.4 }, small);
        }

        [Theory]
        [InlineData("adam")]
        [InlineData("sgdm")]
        [InlineData("law")]
        public void Resuming_from_a_checkpoint_is_bit_identical_to_an_uninterrupted_run(string optimizer)
        {
            IOptimizerLaw Make(int n) => optimizer switch
            {
                "adam" => new Adam(n, 1e-2),
                "sgdm" => new SgdMomentum(n, 1e-3),
                _ => Sgdm.Value.Create(n, Array.Empty<CaseSetting>(), 7),
            };
            var task = new ResidualDynamicsTask();
            var identity = new CheckpointIdentity("DynamicsModelResidual", "hash", task.Name, "f32", 3, 12, 9, optimizer);
            var whole = Residual32.Value(3, 12, 4);
            var straight = new Trainer<float>(whole, task, Make(whole.ParameterVector.Length), seed: 9);
            for (int i = 0; i < 8; i++) straight.Epoch();

            string path = Path.Combine(Path.GetTempPath(), "ae-train-" + Guid.NewGuid().ToString("N") + ".aetrain");
            try
            {
                var first = Residual32.Value(3, 12, 4);
                var part = new Trainer<float>(first, task, Make(first.ParameterVector.Length), seed: 9);
                for (int i = 0; i < 3; i++) part.Epoch();
                TrainingCheckpoint.Save(path, identity, part, "test-run");
                for (int i = 0; i < 2; i++) part.Epoch();   // steps after the checkpoint are not in it

                var second = Residual32.Value(3, 12, 4);
                var resumed = new Trainer<float>(second, task, Make(second.ParameterVector.Length), seed: 9);
                Assert.Equal(3, TrainingCheckpoint.Load(path, identity, resumed));
                for (int i = 0; i < 5; i++) resumed.Epoch();

                Assert.Equal(Bits(whole.ParameterVector), Bits(second.ParameterVector));
                Assert.Equal(straight.Curve, resumed.Curve);
                Assert.Equal(straight.Evaluate(), resumed.Evaluate());
            }
            finally
            {
                File.Delete(path);
            }
        }

        /// <summary>System.Random takes an int: a seed an int holds is itself (its runs are unchanged), a larger one is mixed down to 31 bits.</summary>
        [Fact]
        public void A_64_bit_seed_gives_random_a_seed_of_its_own()
        {
            foreach (long seed in new long[] { 0, 1, 9, int.MaxValue, -5 })
                Assert.Equal((int)seed, Trainer<float>.RandomSeed(seed));
            var big = new[] { 3000000000L, 3000000001L, 1L << 32, (1L << 32) + 1, long.MaxValue }.Select(Trainer<float>.RandomSeed).ToList();
            Assert.All(big, s => Assert.InRange(s, 0, int.MaxValue));
            Assert.Equal(big.Count, big.Distinct().Count());
            Assert.Equal(big, new[] { 3000000000L, 3000000001L, 1L << 32, (1L << 32) + 1, long.MaxValue }.Select(Trainer<double>.RandomSeed).ToList());
            Assert.NotEqual((int)(3000000000L & int.MaxValue), Trainer<float>.RandomSeed(3000000000L));   // not the low bits, which another seed has

            var task = new ResidualDynamicsTask();
            var cell = Residual32.Value(2, 5, 5);
            var trainer = new Trainer<float>(cell, task, new Adam(cell.ParameterVector.Length), seed: 3000000000L);
            trainer.Epoch();
            var identity = new CheckpointIdentity("DynamicsModelResidual", "hash", task.Name, "f32", 2, 5, 3000000000L, "adam");
            string path = Path.Combine(Path.GetTempPath(), "ae-train-" + Guid.NewGuid().ToString("N") + ".aetrain");
            try
            {
                TrainingCheckpoint.Save(path, identity, trainer, "test-run");
                Assert.Equal(identity, TrainingCheckpoint.IdentityOf(path));
                var fresh = Residual32.Value(2, 5, 5);
                var other = new Trainer<float>(fresh, task, new Adam(fresh.ParameterVector.Length), seed: 0);
                var ex = Assert.Throws<TrainingException>(() => TrainingCheckpoint.Load(path, identity with { Seed = 3000000001L }, other));
                Assert.Contains("seed 3000000000, this run's is 3000000001", ex.Message, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }

        private static int[] Bits(Span<float> v) => v.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

        [Fact]
        public void A_bad_checkpoint_is_one_line_and_changes_nothing()
        {
            var task = new ResidualDynamicsTask();
            var identity = new CheckpointIdentity("DynamicsModelResidual", "hash", task.Name, "f32", 2, 5, 0, "adam");
            var cell = Residual32.Value(2, 5, 5);
            var trainer = new Trainer<float>(cell, task, new Adam(cell.ParameterVector.Length), seed: 0);
            trainer.Epoch();
            string path = Path.Combine(Path.GetTempPath(), "ae-train-" + Guid.NewGuid().ToString("N") + ".aetrain");
            try
            {
                TrainingCheckpoint.Save(path, identity, trainer, "test-run");
                var bytes = File.ReadAllBytes(path);
                var fresh = Residual32.Value(2, 5, 5);
                var target = new Trainer<float>(fresh, task, new Adam(fresh.ParameterVector.Length), seed: 1);
                var before = fresh.ParameterVector.ToArray();
                var state = LawState.Save(target.Optimizer);

                foreach (int cut in new[] { 10, bytes.Length / 2, bytes.Length - 3 })
                {
                    File.WriteAllBytes(path, bytes.AsSpan(0, cut).ToArray());
                    var ex = Assert.Throws<TrainingException>(() => TrainingCheckpoint.Load(path, identity, target));
                    Assert.True(ex.Message.Contains("truncated", StringComparison.Ordinal), cut + ": " + ex.Message);
                    Assert.DoesNotContain('\n', ex.Message);
                }
                // One flipped bit in a parameter, the curve or the optimizer's state is a valid number: the checksum refuses it.
                foreach (var (at, flipped) in CheckpointDamage.OneBitFlips(bytes, TrainingCheckpoint.Magic, 25))
                {
                    File.WriteAllBytes(path, flipped);
                    var ex = Assert.Throws<TrainingException>(() => TrainingCheckpoint.Load(path, identity, target));
                    Assert.True(ex.Message.EndsWith("is damaged: its checksum does not match its contents", StringComparison.Ordinal), at + ": " + ex.Message);
                }
                File.WriteAllBytes(path, bytes);
                var other = Assert.Throws<TrainingException>(() => TrainingCheckpoint.Load(path, identity with { Cell = "AmeLayer" }, target));
                Assert.Contains("of cell DynamicsModelResidual, this run's is AmeLayer", other.Message, StringComparison.Ordinal);
                var seed = Assert.Throws<TrainingException>(() => TrainingCheckpoint.Load(path, identity with { Seed = 4 }, target));
                Assert.Contains("seed 0, this run's is 4", seed.Message, StringComparison.Ordinal);
                File.WriteAllText(path, "not a checkpoint at all");
                Assert.Contains("not a training checkpoint", Assert.Throws<TrainingException>(() => TrainingCheckpoint.Load(path, identity, target)).Message, StringComparison.Ordinal);

                Assert.Equal(before, fresh.ParameterVector.ToArray());
                Assert.Equal(state, LawState.Save(target.Optimizer));
                Assert.Empty(target.Curve);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_cell_that_does_not_fit_the_task_is_named_with_the_shapes()
        {
            var cell = AmeLayer32.Value(1, 2, 2);
            var ex = Assert.Throws<TrainingException>(() => new Trainer<float>(cell, new SineSynthTask(), new Adam(cell.ParameterVector.Length), 0));
            Assert.Equal("the cell AmeLayer does not fit the task sine-synth: it needs input 'eps' [1], the cell's is [32]", ex.Message);
            var missing = Assert.Throws<TrainingException>(() => new Trainer<float>(cell, new ResidualDynamicsTask(), new Adam(cell.ParameterVector.Length), 0));
            Assert.StartsWith("the cell AmeLayer does not fit the task residual-dynamics: it needs input 'y_t' [3], the cell has none (its inputs: x [8], eps [32], target [8])", missing.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void The_wav_file_is_16_bit_pcm_mono()
        {
            using var stream = new MemoryStream();
            Wav.WritePcm16(stream, new[] { 0.0, 0.5, -1.0, 2.0 }, 8000);
            var b = stream.ToArray();
            Assert.Equal(44 + 8, b.Length);
            Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(b, 0, 4));
            Assert.Equal(44 + 8 - 8, BitConverter.ToInt32(b, 4));
            Assert.Equal("WAVEfmt ", System.Text.Encoding.ASCII.GetString(b, 8, 8));
            Assert.Equal(1, BitConverter.ToInt16(b, 20));      // PCM
            Assert.Equal(1, BitConverter.ToInt16(b, 22));      // mono
            Assert.Equal(8000, BitConverter.ToInt32(b, 24));
            Assert.Equal(16, BitConverter.ToInt16(b, 34));
            Assert.Equal("data", System.Text.Encoding.ASCII.GetString(b, 36, 4));
            Assert.Equal(new short[] { 0, 16384, -32767, 32767 }, Enumerable.Range(0, 4).Select(i => BitConverter.ToInt16(b, 44 + 2 * i)).ToArray());
        }
    }
}
