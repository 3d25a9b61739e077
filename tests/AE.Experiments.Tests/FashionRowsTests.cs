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
using AE.Experiments.Compilation;
using AE.Experiments.Tasks;
using AE.Experiments.Training;
using AE.Runtime.Cells;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>The <c>fashion-rows</c> task (seed 004) with cells/emergent_resonator.ae and cells/gru.ae, on a few hundred images.</summary>
    public class FashionRowsTests
    {
        private static readonly Lazy<Func<int, int, int, ICell<float>>> Resonator32 = new(() => Compile<float>("emergent_resonator.ae"));
        private static readonly Lazy<Func<int, int, int, ICell<float>>> Gru32 = new(() => Compile<float>("gru.ae"));
        private static readonly Lazy<Func<int, int, int, ICell<double>>> Resonator64 = new(() => Compile<double>("emergent_resonator.ae"));

        private static Func<int, int, int, ICell<T>> Compile<T>(string file) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var path = Path.Combine(RepoPaths.Root, "cells", file);
            var result = AeCompiler.Check(SourceFile.FromBytes(Path.Combine("cells", file), File.ReadAllBytes(path)));
            Assert.False(result.HasErrors);
            return CellCompiler.Compile<T>(EmitTarget.Of(result.Program!).Single());
        }

        private static ICell<float> Make(string cell, int batch, int time) =>
            (cell == "gru" ? Gru32 : Resonator32).Value(batch, time, time);

        [FashionMnistFact]
        public void A_tiny_run_lowers_the_loss_for_the_resonator() => TinyRunLowersTheLoss("resonator");

        [FashionMnistFact]
        public void A_tiny_run_lowers_the_loss_for_the_gru_which_has_no_present_input() => TinyRunLowersTheLoss("gru");

        private static void TinyRunLowersTheLoss(string which)
        {
            // 320 images in batches of 32: 10 Adam steps per epoch, 2 epochs
            var cell = Make(which, 32, 29);
            var task = new FashionRowsTask(testSamples: 100) { Samples = 320 };
            var trainer = new Trainer<float>(cell, task, new Adam(cell.ParameterVector.Length, 3e-3), seed: 1);
            Assert.Equal(10, task.StepsPerEpoch);
            // at small weights the logits are near equal: the cross-entropy is near ln 10, over T = 29 steps
            trainer.Epoch();
            Assert.InRange(trainer.Curve[0] * 29, 2.0, 2.6);
            trainer.Epoch();
            double final = trainer.Evaluate();
            Assert.True(final < 0.9 * trainer.Curve[0], $"{which}: first {trainer.Curve[0]}, final {final}");
            var metrics = new Dictionary<string, double>();
            task.Measure(cell, metrics);
            Assert.Equal(100, metrics["test_images"]);
            Assert.Equal(1, metrics["reasoning_steps"]);
            Assert.InRange(metrics["test_accuracy"], 0.2, 1.0);   // better than chance (0.1) after 20 steps
            Assert.True(metrics["test_cross_entropy"] < 2.2, "test cross-entropy " + metrics["test_cross_entropy"]);
        }

        /// <summary>
        /// The inputs (rows scaled to [0, 1], present during the rows, last at the final step, the one-hot label) and the
        /// objective: the loss is the mean over the batch of the last step's cross-entropy, logsumexp(logits) - logits[label]
        /// computed here from the logits and the data set's own label, divided by T.
        /// </summary>
        [FashionMnistFact]
        public void The_loss_is_the_last_steps_cross_entropy_over_T()
        {
            const int batch = 3, time = 30;   // two reasoning steps
            var cell = Resonator64.Value(batch, time, time);
            var task = new FashionRowsTask(testSamples: 10) { Samples = 6 };
            _ = new Trainer<double>(cell, task, new Adam(cell.ParameterVector.Length), seed: 5);
            var data = FashionMnist.Load(FashionMnistSplit.Train, 6);
            var x = cell.Input("x").ToArray();
            var present = cell.Input("present");
            var last = cell.Input("last");
            var label = cell.Input("label");
            cell.Forward();
            var logits = cell.Output("logits");
            double expected = 0;
            for (int b = 0; b < batch; b++)
            {
                // which image sample b is: the one whose pixels / 255 are its rows
                int index = Enumerable.Range(0, 6).Single(i => Enumerable.Range(0, 28 * 28).All(p =>
                    x[((p / 28) * batch + b) * 28 + p % 28] == data.Image(i)[p] / 255.0));
                int y = data.Labels[index];
                for (int t = 0; t < time; t++)
                {
                    Assert.Equal(t < 28 ? 1.0 : 0.0, present[t * batch + b]);
                    Assert.Equal(t == time - 1 ? 1.0 : 0.0, last[t * batch + b]);
                    for (int c = 0; c < 10; c++) Assert.Equal(c == y ? 1.0 : 0.0, label[(t * batch + b) * 10 + c]);
                    if (t >= 28) Assert.All(x.AsSpan((t * batch + b) * 28, 28).ToArray(), v => Assert.Equal(0.0, v));
                }
                var z = logits.Slice(((time - 1) * batch + b) * 10, 10).ToArray();
                double m = z.Max();
                expected += m + Math.Log(z.Sum(v => Math.Exp(v - m))) - z[y];
            }
            expected /= batch * time;
            Assert.Equal(expected, cell.Loss, 12);
        }

        [FashionMnistFact]
        public void Resuming_mid_run_is_bit_identical_as_the_batches_follow_the_epoch()
        {
            var task = new FashionRowsTask(testSamples: 10) { Samples = 64 };
            var identity = new CheckpointIdentity("Gru", "hash", task.Identity, "f32", 16, 29, 3, "adam");
            var whole = Make("gru", 16, 29);
            var straight = new Trainer<float>(whole, task, new Adam(whole.ParameterVector.Length, 1e-3), seed: 3);
            for (int i = 0; i < 3; i++) straight.Epoch();

            string path = Path.Combine(Path.GetTempPath(), "ae-train-" + Guid.NewGuid().ToString("N") + ".aetrain");
            try
            {
                var first = Make("gru", 16, 29);
                var part = new Trainer<float>(first, new FashionRowsTask(testSamples: 10) { Samples = 64 }, new Adam(first.ParameterVector.Length, 1e-3), seed: 3);
                part.Epoch();
                TrainingCheckpoint.Save(path, identity, part, "test-run");

                var second = Make("gru", 16, 29);
                var resumed = new Trainer<float>(second, new FashionRowsTask(testSamples: 10) { Samples = 64 }, new Adam(second.ParameterVector.Length, 1e-3), seed: 3);
                Assert.Equal(1, TrainingCheckpoint.Load(path, identity, resumed));
                for (int i = 0; i < 2; i++) resumed.Epoch();
                Assert.Equal(straight.Curve, resumed.Curve);
                Assert.Equal(whole.ParameterVector.ToArray(), second.ParameterVector.ToArray());
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_missing_data_set_is_one_line_naming_the_debian_package()
        {
            using var dir = new TempDirectory();
            var cell = Make("gru", 2, 29);
            var ex = Assert.Throws<TrainingException>(() => new Trainer<float>(cell, new FashionRowsTask(dir.Path), new Adam(cell.ParameterVector.Length), 0));
            Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message, StringComparison.Ordinal);
            Assert.Contains(dir.Path, ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
        }

        [Fact]
        public void More_samples_than_the_data_set_holds_is_one_line()
        {
            using var dir = new TempDirectory();
            // a data set of 10 blank images, written by the IDX format's header (magic 0 0 8 rank, then the sizes)
            var images = new byte[] { 0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28 }.Concat(new byte[10 * 28 * 28]).ToArray();
            var labels = new byte[] { 0, 0, 8, 1, 0, 0, 0, 10 }.Concat(new byte[10]).ToArray();
            foreach (var split in new[] { "train", "t10k" })
            {
                File.WriteAllBytes(Path.Combine(dir.Path, split + "-images-idx3-ubyte"), images);
                File.WriteAllBytes(Path.Combine(dir.Path, split + "-labels-idx1-ubyte"), labels);
            }
            var cell = Make("gru", 2, 29);
            var ex = Assert.Throws<TrainingException>(() => new Trainer<float>(cell, new FashionRowsTask(dir.Path) { Samples = 11 }, new Adam(cell.ParameterVector.Length), 0));
            Assert.Equal("--samples 11 asks for more training images than the data set holds (10)", ex.Message);
            _ = new Trainer<float>(Make("gru", 2, 29), new FashionRowsTask(dir.Path) { Samples = 10 }, new Adam(cell.ParameterVector.Length), 0);
        }

        [Fact]
        public void A_cell_without_the_tasks_inputs_or_with_too_short_a_time_is_one_line()
        {
            var resonator = Resonator32.Value(1, 2, 2);
            Assert.Null(new FashionRowsTask().Misfit(resonator));
            Assert.Null(new FashionRowsTask().Misfit(Gru32.Value(1, 2, 2)));
            var other = Compile<float>("ame_layer.ae")(1, 2, 2);
            Assert.StartsWith("the cell AmeLayer does not fit the task fashion-rows: it needs input 'x' [28], the cell's is [8]",
                new FashionRowsTask().Misfit(other), StringComparison.Ordinal);
            var ex = Assert.Throws<TrainingException>(() => new Trainer<float>(resonator, new FashionRowsTask(), new Adam(resonator.ParameterVector.Length), 0));
            Assert.Equal("the task fashion-rows needs a time of at least 28 (28 rows, then the reasoning steps), not 2", ex.Message);
        }
    }
}
