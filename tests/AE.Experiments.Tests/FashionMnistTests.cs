using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using AE.Experiments.Baselines;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using Xunit;

namespace AE.Experiments.Tests
{
    public class FashionMnistTests
    {
        [FashionMnistFact]
        public void Reads_the_real_files_60000_and_10000_images_of_28x28()
        {
            var train = FashionMnist.Load(FashionMnistSplit.Train);
            var test = FashionMnist.Load(FashionMnistSplit.Test);
            Assert.Equal(60000, train.TotalCount);
            Assert.Equal(60000, train.Count);
            Assert.Equal(60000 * 784, train.Images.Length);
            Assert.Equal(10000, test.TotalCount);
            Assert.Equal(10000, test.Labels.Length);
            Assert.Equal(10000 * 28 * 28, test.Images.Length);
            Assert.Equal(28, FashionMnist.ImageRows);
            Assert.Equal(28, FashionMnist.ImageColumns);
            // the classes are balanced: 6,000 and 1,000 of each
            for (int c = 0; c < 10; c++)
            {
                Assert.Equal(6000, train.Labels.Count(l => l == c));
                Assert.Equal(1000, test.Labels.Count(l => l == c));
            }
            // images are not blank
            Assert.Contains(train.Image(0).ToArray(), p => p > 0);
            // a partial load reads the same first items
            var head = FashionMnist.Load(FashionMnistSplit.Train, 100);
            Assert.Equal(100, head.Count);
            Assert.Equal(60000, head.TotalCount);
            Assert.Equal(train.Images.AsSpan(0, 100 * 784).ToArray(), head.Images);
            Assert.Equal(train.Labels.Take(100), head.Labels);
        }

        [FashionMnistFact]
        public void Logistic_loss_decreases_under_plain_sgd()
        {
            var task = (FashionMnistLogisticTask)TaskCatalog.Create("logreg-fashion");
            Assert.Equal(7850, task.Dimension);
            Assert.Equal(2048, task.SubsetSize);
            var machine = new AeMachine(task, new MachineOptions { MaxSteps = 300, AcceptOnTarget = false });
            var run = machine.Run(new SgdMomentum(task.Dimension, lr: 0.05, momentum: 0), 1);
            Assert.Equal(StopReason.BudgetExhausted, run.Stop);
            Assert.Equal(0, run.IncidentCount);
            var start = FiniteDifferences.Start(task, 1);
            double initial = task.EvaluateExact(start, new double[task.Dimension], 0);
            Assert.InRange(initial, 2.2, 2.4);                 // ≈ ln 10 at small weights
            Assert.True(run.FinalLoss < 0.75 * initial, $"loss {initial} -> {run.FinalLoss}");
            Assert.True(task.Accuracy(run.FinalTheta.Span) > 0.6);
            // the minibatch losses the law saw went down too (first 50 vs last 50)
            var losses = run.Log.Losses;
            Assert.True(Mean(losses.Slice(250, 50)) < Mean(losses.Slice(0, 50)));
        }

        private static double Mean(ReadOnlySpan<double> values)
        {
            double s = 0;
            foreach (double v in values) s += v;
            return s / values.Length;
        }

        [Fact]
        public void Missing_files_give_one_line_naming_the_debian_package()
        {
            using var dir = new TempDirectory();
            Assert.False(FashionMnist.IsAvailable(dir.Path));
            var e = Assert.Throws<DatasetNotFoundException>(() => FashionMnist.Load(FashionMnistSplit.Train, directory: dir.Path));
            Assert.Contains("dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
            Assert.Contains(dir.Path, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
            e = Assert.Throws<DatasetNotFoundException>(() => new FashionMnistLogisticTask(directory: dir.Path));
            Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Idx_files_are_read_compressed_or_not_and_malformed_ones_are_rejected()
        {
            using var dir = new TempDirectory();
            // 3 images of 28×28 and 3 labels, the test split; train as raw files, test gzip-compressed
            byte[] images = Idx(0x08, new[] { 3, 28, 28 }, Enumerable.Range(0, 3 * 784).Select(i => (byte)(i % 251)).ToArray());
            byte[] labels = Idx(0x08, new[] { 3 }, new byte[] { 9, 0, 4 });
            File.WriteAllBytes(Path.Combine(dir.Path, "train-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(dir.Path, "train-labels-idx1-ubyte"), labels);
            File.WriteAllBytes(Path.Combine(dir.Path, "t10k-images-idx3-ubyte.gz"), Gzip(images));
            File.WriteAllBytes(Path.Combine(dir.Path, "t10k-labels-idx1-ubyte.gz"), Gzip(labels));
            Assert.True(FashionMnist.IsAvailable(dir.Path));
            var raw = FashionMnist.Load(FashionMnistSplit.Train, directory: dir.Path);
            var gz = FashionMnist.Load(FashionMnistSplit.Test, directory: dir.Path);
            Assert.Equal(3, raw.Count);
            Assert.Equal(raw.Images, gz.Images);
            Assert.Equal(new byte[] { 9, 0, 4 }, gz.Labels);
            Assert.Equal((byte)(785 % 251), raw.Image(1)[1]);

            File.WriteAllBytes(Path.Combine(dir.Path, "train-images-idx3-ubyte"), images.AsSpan(0, images.Length - 10).ToArray());
            var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Train, directory: dir.Path));
            Assert.Equal("train-images-idx3-ubyte: truncated (ended while reading 3 items) (in " + dir.Path + ")", e.Message);   // the folder, for a data set found through the environment
            File.WriteAllBytes(Path.Combine(dir.Path, "train-images-idx3-ubyte"), Idx(0x08, new[] { 3, 27, 28 }, new byte[3 * 27 * 28]));
            e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Train, directory: dir.Path));
            Assert.Contains("expected images of 28×28", e.Message, StringComparison.Ordinal);
            File.WriteAllBytes(Path.Combine(dir.Path, "train-images-idx3-ubyte"), Idx(0x0D, new[] { 3, 28, 28 }, new byte[3 * 784 * 4]));
            e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Train, directory: dir.Path));
            Assert.Contains("is not unsigned byte", e.Message, StringComparison.Ordinal);
            File.WriteAllBytes(Path.Combine(dir.Path, "train-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(dir.Path, "train-labels-idx1-ubyte"), Idx(0x08, new[] { 3 }, new byte[] { 1, 10, 2 }));
            e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Train, directory: dir.Path));
            Assert.Contains("label 10 is not a class", e.Message, StringComparison.Ordinal);
        }

        private static byte[] Idx(byte type, int[] shape, byte[] data)
        {
            using var ms = new MemoryStream();
            ms.Write(new byte[] { 0, 0, type, (byte)shape.Length });
            foreach (int d in shape) ms.Write(new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d });
            ms.Write(data);
            return ms.ToArray();
        }

        private static byte[] Gzip(byte[] data)
        {
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
            return ms.ToArray();
        }
    }
}
