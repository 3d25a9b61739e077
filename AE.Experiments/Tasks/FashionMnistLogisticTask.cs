using System;
using System.Globalization;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// Multinomial (10-class softmax) logistic regression on a fixed subset of Fashion-MNIST: the
    /// first <see cref="SubsetSize"/> training images (default 2048), pixels scaled to [0, 1].
    /// θ = (W, b): W is 10×784 row-major, then the 10 biases, 7,850 values. Loss: mean cross-entropy
    /// over the subset + (λ/2)‖W‖² (λ = 1e-4; biases not decayed), so the optimum is finite but not
    /// known in closed form. The law sees a minibatch: <see cref="BatchSize"/> (default 32) rows
    /// drawn uniformly with replacement from the run's stream, its mean cross-entropy + the same
    /// penalty, and that loss's exact gradient. Start: W ~ N(0, 0.01²), b = 0.
    /// </summary>
    public sealed class FashionMnistLogisticTask : TaskBase
    {
        private const int Classes = FashionMnist.ClassCount;
        private static readonly int Pixels = FashionMnist.PixelCount;

        private readonly double[] _features;  // subset × 784
        private readonly byte[] _labels;
        private readonly double[] _logits = new double[Classes];
        private readonly double _target;
        private readonly long _defaultSteps;
        private GaussianSource _stream;

        /// <exception cref="DatasetNotFoundException">Fashion-MNIST is not installed (the message names the Debian package)</exception>
        public FashionMnistLogisticTask(string name = "logreg-fashion", int subsetSize = 2048, int batchSize = 32, double l2 = 1e-4, double targetLoss = 0.3,
            long defaultSteps = 3000, string? directory = null)
            : base(name, Classes * FashionMnist.PixelCount + Classes)
        {
            if (subsetSize < 1 || subsetSize > 60000) throw new ArgumentOutOfRangeException(nameof(subsetSize), subsetSize, "the subset size must lie in [1, 60000]");
            if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be >= 1");
            if (!(l2 >= 0)) throw new ArgumentOutOfRangeException(nameof(l2), l2, "the L2 coefficient must be >= 0");
            if (!(targetLoss > 0)) throw new ArgumentOutOfRangeException(nameof(targetLoss), targetLoss, "the target loss must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            var data = FashionMnist.Load(FashionMnistSplit.Train, subsetSize, directory);
            SubsetSize = data.Count;
            BatchSize = batchSize;
            L2 = l2;
            _target = targetLoss;
            _defaultSteps = defaultSteps;
            _labels = data.Labels;
            DataIdentity = "Fashion-MNIST training " + data.Digest();
            _features = new double[data.Images.Length];
            for (int i = 0; i < _features.Length; i++) _features[i] = data.Images[i] / 255.0;
            _stream = new GaussianSource(Seeds.Derive(0, Seeds.NoiseStream));
        }

        public int SubsetSize { get; }

        public override string DataIdentity { get; }

        public int BatchSize { get; }

        /// <summary>λ of the penalty (λ/2)‖W‖².</summary>
        public double L2 { get; }

        public override string Description => string.Format(CultureInfo.InvariantCulture,
            "10-class softmax regression on the first {0} Fashion-MNIST training images (pixels/255), mean cross-entropy + {1:G3}/2 ‖W‖²; optimum unknown",
            SubsetSize, L2);

        public override string GradientKind => string.Format(CultureInfo.InvariantCulture,
            "stochastic: minibatches of {0} drawn uniformly with replacement; loss and gradient of the minibatch (the target is judged on the full subset)", BatchSize);

        public override bool IsStochastic => true;

        public override bool LossIsExact => false;

        public override double TargetLoss => _target;

        public override double? OptimumLoss => null;

        public override long DefaultSteps => _defaultSteps;

        public override void Reset(ulong seed) => _stream = new GaussianSource(Seeds.Derive(seed, Seeds.NoiseStream));

        /// <summary>The minibatch stream's position.</summary>
        public override void WriteRunState(System.IO.BinaryWriter writer) => WriteSource(writer, _stream);

        public override void ReadRunState(System.IO.BinaryReader reader) => _stream = ReadSource(reader);

        public override void InitialTheta(ulong seed, Span<double> theta)
        {
            CheckTheta(theta);
            var source = new GaussianSource(Seeds.Derive(seed, Seeds.ThetaStream));
            int weights = Classes * Pixels;
            for (int i = 0; i < weights; i++) theta[i] = 0.01 * source.NextGaussian();
            theta.Slice(weights).Clear();
        }

        /// <summary>The label of subset row <paramref name="row"/>.</summary>
        public int Label(int row) => _labels[row];

        /// <summary>The fraction of the subset classified correctly.</summary>
        public double Accuracy(ReadOnlySpan<double> theta)
        {
            if (theta.Length != Dimension) throw new ArgumentException("theta has " + theta.Length + " values; the task has dimension " + Dimension, nameof(theta));
            int correct = 0;
            for (int r = 0; r < SubsetSize; r++)
            {
                Logits(theta, r);
                int best = 0;
                for (int k = 1; k < Classes; k++) if (_logits[k] > _logits[best]) best = k;
                if (best == _labels[r]) correct++;
            }
            return (double)correct / SubsetSize;
        }

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            grad.Clear();
            double loss = 0;
            double inv = 1.0 / BatchSize;
            for (int i = 0; i < BatchSize; i++)
            {
                int r = Seeds.NextIndex(ref _stream, SubsetSize);
                loss += Row(theta, grad, r, inv);
            }
            return loss * inv + Penalty(theta, grad);
        }

        protected override double EvaluateExactCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            grad.Clear();
            double loss = 0;
            double inv = 1.0 / SubsetSize;
            for (int r = 0; r < SubsetSize; r++) loss += Row(theta, grad, r, inv);
            return loss * inv + Penalty(theta, grad);
        }

        private void Logits(ReadOnlySpan<double> theta, int row)
        {
            var x = _features.AsSpan(row * Pixels, Pixels);
            int biases = Classes * Pixels;
            for (int k = 0; k < Classes; k++) _logits[k] = DenseMath.Dot(theta.Slice(k * Pixels, Pixels), x) + theta[biases + k];
        }

        /// <summary>The row's cross-entropy; adds weight × its gradient into grad.</summary>
        private double Row(ReadOnlySpan<double> theta, Span<double> grad, int row, double weight)
        {
            Logits(theta, row);
            double max = _logits[0];
            for (int k = 1; k < Classes; k++) max = Math.Max(max, _logits[k]);
            int label = _labels[row];
            double shiftedLabel = _logits[label] - max;
            double sum = 0;
            for (int k = 0; k < Classes; k++) { _logits[k] = Math.Exp(_logits[k] - max); sum += _logits[k]; }
            double loss = Math.Log(sum) - shiftedLabel;
            var x = _features.AsSpan(row * Pixels, Pixels);
            int biases = Classes * Pixels;
            for (int k = 0; k < Classes; k++)
            {
                double d = weight * (_logits[k] / sum - (k == label ? 1.0 : 0.0));
                DenseMath.AddScaled(grad.Slice(k * Pixels, Pixels), d, x);
                grad[biases + k] += d;
            }
            return loss;
        }

        private double Penalty(ReadOnlySpan<double> theta, Span<double> grad)
        {
            if (L2 == 0) return 0;
            int weights = Classes * Pixels;
            var w = theta.Slice(0, weights);
            DenseMath.AddScaled(grad.Slice(0, weights), L2, w);
            return 0.5 * L2 * DenseMath.Dot(w, w);
        }
    }
}
