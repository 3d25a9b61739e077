using System;
using System.Collections.Generic;
using System.Numerics;
using AE.Runtime.Cells;

namespace AE.Experiments.Training
{
    /// <summary>
    /// <c>tape-copy</c> (seed 001, <c>AE_tape.py</c>): the seed's differentiable tape (<c>cells/tape_copy.ae</c>: 8 slots
    /// of 4 bits, soft write and read) copies a sequence. A sequence is <see cref="Length"/> items of
    /// <see cref="Width"/> random bits (each 0 or 1 with probability 1/2); the time is 2 L: at step t &lt; L item t is
    /// the input <c>x</c> (<c>recall</c> 0, <c>target</c> 0), at step L + k the input is 0, <c>recall</c> 1 and the
    /// target is item k. <c>pos</c> is the one-hot of t within its phase. Batch 32, Adam lr 1e-2 (the seed trains its
    /// tape with an AE agent at init_alpha 5e-2 and gives no Adam setting). The metric <c>copy_accuracy</c> is the
    /// share of recalled bits right (a bit reads 1 where the output logit is above 0) on a held-out set of another 32
    /// sequences; <c>train_copy_accuracy</c> the same on the training sequences.
    /// </summary>
    public sealed class TapeCopyTask : TrainingTask
    {
        public const int Width = 4;
        public const int Length = 8;

        private static readonly CellRequirement[] Needs =
        {
            new("input", "x", new[] { Width }, Binary: true),
            new("input", "pos", new[] { Length }, Binary: true),
            new("input", "recall", Array.Empty<int>(), Binary: true),
            new("input", "target", new[] { Width }, Binary: true),
            new("output", "y", new[] { Width }),
        };

        private Data? _test;

        public override string Name => "tape-copy";

        public override string Seed => "001";

        public override string Description => "the seed's differentiable tape copies 8 items of 4 random bits; held-out copy accuracy";

        public override int DefaultEpochs => 2000;

        public override int DefaultBatch => 32;

        public override int DefaultTime => 2 * Length;

        public override double DefaultLearningRate => 1e-2;

        public override IReadOnlyList<CellRequirement> Requirements => Needs;

        /// <summary>The inputs of a batch of sequences, each [time, batch, ...] as the cell takes them.</summary>
        public sealed record Data(double[] X, double[] Pos, double[] Recall, double[] Target);

        public override void Prepare<T>(ICell<T> cell, Random random)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (random is null) throw new ArgumentNullException(nameof(random));
            Check(cell.Time);
            Write(cell, Draw(cell.Batch, cell.Time, random));
            _test = Draw(cell.Batch, cell.Time, random);
        }

        public override void Measure<T>(ICell<T> cell, IDictionary<string, double> metrics)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (metrics is null) throw new ArgumentNullException(nameof(metrics));
            if (_test is null) throw new InvalidOperationException("the task has not prepared a cell");
            metrics["train_copy_accuracy"] = CopyAccuracy(cell.Output("y"), cell.Input("target"), cell.Input("recall"));
            Write(cell, _test);
            cell.Forward();
            metrics["test_loss"] = cell.Loss;
            metrics["copy_accuracy"] = CopyAccuracy(cell.Output("y"), cell.Input("target"), cell.Input("recall"));
        }

        /// <summary>
        /// The share of bits right at the steps where <paramref name="recall"/> is 1: bit j of a row reads 1 where
        /// <paramref name="y"/> is above 0, and is right when that equals <paramref name="target"/> (0 or 1). Rows of
        /// <see cref="Width"/> values, one per step and sample, <paramref name="recall"/> one value per row.
        /// </summary>
        public static double CopyAccuracy<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> target, ReadOnlySpan<T> recall) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (y.Length != target.Length || y.Length != recall.Length * Width)
                throw new ArgumentException("y and target need " + Width + " values per recall flag");
            long right = 0, bits = 0;
            for (int row = 0; row < recall.Length; row++)
            {
                if (recall[row] < T.CreateTruncating(0.5)) continue;
                for (int j = 0; j < Width; j++)
                {
                    int i = row * Width + j;
                    bool one = y[i] > T.Zero, wanted = target[i] > T.CreateTruncating(0.5);
                    if (one == wanted) right++;
                    bits++;
                }
            }
            return bits == 0 ? double.NaN : (double)right / bits;
        }

        /// <summary>A batch of <paramref name="batch"/> random sequences over <paramref name="time"/> = 2 L steps.</summary>
        public static Data Draw(int batch, int time, Random random)
        {
            if (random is null) throw new ArgumentNullException(nameof(random));
            Check(time);
            var items = new double[batch, Length, Width];
            for (int b = 0; b < batch; b++)
                for (int k = 0; k < Length; k++)
                    for (int j = 0; j < Width; j++)
                        items[b, k, j] = random.Next(2);
            var x = new double[time * batch * Width];
            var target = new double[x.Length];
            var pos = new double[time * batch * Length];
            var recall = new double[time * batch];
            for (int t = 0; t < time; t++)
                for (int b = 0; b < batch; b++)
                {
                    int row = t * batch + b;
                    bool recalling = t >= Length;
                    int k = recalling ? t - Length : t;
                    recall[row] = recalling ? 1 : 0;
                    pos[row * Length + k] = 1;
                    for (int j = 0; j < Width; j++)
                    {
                        if (recalling) target[row * Width + j] = items[b, k, j];
                        else x[row * Width + j] = items[b, k, j];
                    }
                }
            return new Data(x, pos, recall, target);
        }

        private static void Check(int time)
        {
            if (time != 2 * Length)
                throw new TrainingException("the task tape-copy shows " + Length + " items and recalls them: its time is " + 2 * Length + ", not " + time);
        }

        private static void Write<T>(ICell<T> cell, Data data) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Copy(data.X, cell.Input("x"));
            Copy(data.Pos, cell.Input("pos"));
            Copy(data.Recall, cell.Input("recall"));
            Copy(data.Target, cell.Input("target"));
        }
    }
}
