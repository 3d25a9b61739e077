using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using AE.Experiments.Tasks;
using AE.Runtime.Cells;

namespace AE.Experiments.Training
{
    /// <summary>
    /// <c>fashion-rows</c> (seed 004): row-sequential Fashion-MNIST. Each image is 28 steps, one row of 28 pixels per
    /// step (input <c>x</c>, the pixels / 255), then <c>reasoning_steps = T - 28</c> steps (default 1) with <c>x</c> 0
    /// and <c>present</c> false; <c>last</c> is true at step T - 1 only, and <c>label</c> is the class one-hot at every
    /// step. The cell's objective is the cross-entropy of the last step's logits (cells/emergent_resonator.ae,
    /// cells/gru.ae), so the loss is that mean cross-entropy divided by T. An epoch is one pass over the training
    /// images (the first <see cref="TrainingTask.Samples"/> of the 60,000, all by default) in mini-batches of the
    /// cell's batch, shuffled per epoch from the run's seed (the last incomplete batch is dropped, as PyTorch's
    /// <c>drop_last</c>). The metrics, from forward passes only after training: <c>test_accuracy</c> (the argmax of the
    /// last step's logits) and <c>test_cross_entropy</c> on the 10,000 test images (or the first
    /// <see cref="TestSamples"/>), and <c>reasoning_steps</c>. A cell without <c>present</c> (the GRU) is not fed it.
    /// </summary>
    public sealed class FashionRowsTask : TrainingTask
    {
        public const int Rows = FashionMnist.ImageRows, Columns = FashionMnist.ImageColumns, Classes = FashionMnist.ClassCount;

        private static readonly CellRequirement[] Needs =
        {
            new("input", "x", new[] { Columns }),
            new("input", "label", new[] { Classes }, Binary: true),
            new("input", "last", Array.Empty<int>(), Binary: true),
            new("output", "logits", new[] { Classes }),
            new("input", "present", Array.Empty<int>(), Optional: true, Binary: true),
        };

        private readonly string? _directory;
        private FashionMnist? _train, _test;
        private string _trainDigest = "";
        private int _shuffleSeed, _batch, _permutationEpoch = -1;
        private int[] _permutation = Array.Empty<int>();

        /// <param name="directory">the data set's folder (default <see cref="FashionMnist.Directory"/>)</param>
        /// <param name="testSamples">the test images measured, the first of the 10,000 (default all)</param>
        public FashionRowsTask(string? directory = null, int? testSamples = null)
        {
            _directory = directory;
            TestSamples = testSamples;
        }

        /// <summary>The test images measured: the first of the 10,000; null for all of them.</summary>
        public int? TestSamples { get; }

        public override string Name => "fashion-rows";

        public override string Seed => "004";

        public override string Description => "row-sequential Fashion-MNIST, 28 rows then reasoning steps; test accuracy on 10,000 images";

        public override int DefaultEpochs => 3;

        public override int DefaultBatch => 64;

        /// <summary>28 rows and one reasoning step.</summary>
        public override int DefaultTime => Rows + 1;

        public override bool HasDataSet => true;

        /// <summary>The training images loaded; the test images are only measured, so they do not change a resumed run.</summary>
        public override string DataIdentity => _train is null ? throw new InvalidOperationException("the task has not prepared a cell") : "Fashion-MNIST training " + _trainDigest;

        public override int StepsPerEpoch => _train is null ? throw new InvalidOperationException("the task has not prepared a cell") : _train.Count / _batch;

        public override IReadOnlyList<CellRequirement> Requirements => Needs;

        public override void Prepare<T>(ICell<T> cell, Random random)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (random is null) throw new ArgumentNullException(nameof(random));
            if (cell.Time < Rows) throw new TrainingException("the task " + Name + " needs a time of at least " + Rows + " (28 rows, then the reasoning steps), not " + cell.Time);
            try
            {
                _train = FashionMnist.Load(FashionMnistSplit.Train, Samples ?? int.MaxValue, _directory);
                _test = FashionMnist.Load(FashionMnistSplit.Test, TestSamples ?? int.MaxValue, _directory);
            }
            catch (Exception ex) when (ex is DatasetNotFoundException or InvalidDataException or IOException)
            {
                throw new TrainingException(ex.Message, ex);
            }
            // --samples above what the files hold would train on fewer images than asked and say nothing.
            if (Samples is int asked && _train.Count < asked)
                throw new TrainingException("--samples " + asked + " asks for more training images than the data set holds (" + _train.Count + ")");
            _trainDigest = _train.Digest();
            _batch = cell.Batch;
            if (_train.Count < _batch) throw new TrainingException("the task " + Name + " has " + _train.Count + " training images, fewer than the batch of " + _batch);
            _shuffleSeed = random.Next();
            _permutationEpoch = -1;
            WriteFixed(cell);
            WriteBatch(cell, 0, 0);
        }

        public override void WriteBatch<T>(ICell<T> cell, int epoch, int step)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (_train is null) throw new InvalidOperationException("the task has not prepared a cell");
            if (_permutationEpoch != epoch)
            {
                _permutation = Permutation(_train.Count, unchecked(_shuffleSeed * 31 + epoch));
                _permutationEpoch = epoch;
            }
            WriteImages(cell, _train, _permutation.AsSpan(step * _batch, _batch));
        }

        public override void Measure<T>(ICell<T> cell, IDictionary<string, double> metrics)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (metrics is null) throw new ArgumentNullException(nameof(metrics));
            if (_test is null) throw new InvalidOperationException("the task has not prepared a cell");
            int batch = cell.Batch, n = _test.Count, correct = 0;
            double crossEntropy = 0;
            var indices = new int[batch];
            int last = (cell.Time - 1) * batch * Classes;
            for (int start = 0; start < n; start += batch)
            {
                int count = Math.Min(batch, n - start);
                // the last batch is filled up with the first image; only the real ones count
                for (int b = 0; b < batch; b++) indices[b] = b < count ? start + b : 0;
                WriteImages(cell, _test, indices);
                cell.Forward();
                var logits = cell.Output("logits");
                for (int b = 0; b < count; b++)
                {
                    var row = logits.Slice(last + b * Classes, Classes);
                    int label = _test.Labels[start + b];
                    crossEntropy += CrossEntropy(row, label);
                    if (ArgMax(row) == label) correct++;
                }
            }
            metrics["test_accuracy"] = (double)correct / n;
            metrics["test_cross_entropy"] = crossEntropy / n;
            metrics["test_images"] = n;
            metrics["reasoning_steps"] = cell.Time - Rows;
        }

        /// <summary>F.cross_entropy of one sample's logits: logsumexp(logits) - logits[label], in double.</summary>
        public static double CrossEntropy<T>(ReadOnlySpan<T> logits, int label) where T : unmanaged, IFloatingPointIeee754<T>
        {
            double max = double.NegativeInfinity;
            foreach (var v in logits) max = Math.Max(max, double.CreateTruncating(v));
            double sum = 0;
            foreach (var v in logits) sum += Math.Exp(double.CreateTruncating(v) - max);
            return max + Math.Log(sum) - double.CreateTruncating(logits[label]);
        }

        private static int ArgMax<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int best = 0;
            for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
            return best;
        }

        /// <summary>0..n-1 shuffled by Fisher-Yates from <paramref name="seed"/>.</summary>
        private static int[] Permutation(int n, int seed)
        {
            var p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            var random = new Random(seed);
            for (int i = n - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (p[i], p[j]) = (p[j], p[i]);
            }
            return p;
        }

        /// <summary>What every batch shares: present (when the cell has it) during the rows, last at the final step.</summary>
        private static void WriteFixed<T>(ICell<T> cell) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int batch = cell.Batch, time = cell.Time;
            var lastInput = cell.Input("last");
            lastInput.Clear();
            lastInput.Slice((time - 1) * batch, batch).Fill(T.One);
            if (HasInput(cell, "present"))
            {
                var present = cell.Input("present");
                present.Clear();
                present.Slice(0, Rows * batch).Fill(T.One);
            }
            // x stays 0 in the reasoning steps
            cell.Input("x").Slice(Rows * batch * Columns).Clear();
        }

        private static void WriteImages<T>(ICell<T> cell, FashionMnist data, ReadOnlySpan<int> indices) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int batch = cell.Batch, time = cell.Time;
            var x = cell.Input("x");
            var label = cell.Input("label");
            label.Clear();
            for (int b = 0; b < batch; b++)
            {
                var image = data.Image(indices[b]);
                for (int r = 0; r < Rows; r++)
                {
                    var row = x.Slice((r * batch + b) * Columns, Columns);
                    for (int c = 0; c < Columns; c++) row[c] = T.CreateTruncating(image[r * Columns + c] / 255.0);
                }
                int y = data.Labels[indices[b]];
                for (int t = 0; t < time; t++) label[(t * batch + b) * Classes + y] = T.One;
            }
        }
    }
}
