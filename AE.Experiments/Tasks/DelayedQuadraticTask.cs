using System;
using System.Globalization;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// A quadratic whose gradient arrives k steps late (asynchronous or pipelined training):
    /// 0.5 (θ − x*)ᵀA(θ − x*), 20 dims, eigenvalues log-spaced in [1/100, 1], randomly rotated,
    /// x* ~ N(0, I); optimum 0. The loss is exact at the current θ; the gradient returned by call t
    /// (t = 0, 1, ... since <see cref="ITask.Reset"/>) is the exact gradient at the θ of call t − k,
    /// or at the θ of call 0 while t &lt; k. A ring buffer of k + 1 gradients is allocated once.
    /// </summary>
    public sealed class DelayedQuadraticTask : TaskBase
    {
        /// <summary>The largest delay supported.</summary>
        public const int MaxDelay = 8;

        private readonly QuadraticForm _form;
        private readonly double[] _ring;     // (k + 1) × n
        private readonly double _targetGap;
        private readonly long _defaultSteps;
        private long _calls;

        public DelayedQuadraticTask(string name = "delayed", int delay = 4, int dimension = 20, double condition = 1e2, double targetGap = 1e-6,
            long defaultSteps = 3000, ulong problemSeed = 4)
            : base(name, dimension)
        {
            if (delay < 0 || delay > MaxDelay) throw new ArgumentOutOfRangeException(nameof(delay), delay, "the delay must lie in [0, " + MaxDelay + "]");
            if (!(targetGap > 0)) throw new ArgumentOutOfRangeException(nameof(targetGap), targetGap, "the target gap must be > 0");
            if (defaultSteps < 1) throw new ArgumentOutOfRangeException(nameof(defaultSteps), defaultSteps, "the step budget must be >= 1");
            Delay = delay;
            Condition = condition;
            _form = QuadraticForm.Rotated(DenseMath.LogSpaced(dimension, condition), problemSeed, centerScale: 1.0, offsetFromCenter: false);
            _ring = new double[(delay + 1) * dimension];
            _targetGap = targetGap;
            _defaultSteps = defaultSteps;
        }

        /// <summary>k: how many steps late the gradient arrives.</summary>
        public int Delay { get; }

        public double Condition { get; }

        public override string Description => string.Format(CultureInfo.InvariantCulture,
            "0.5 (θ − x*)ᵀA(θ − x*), {0} dims, eigenvalues log-spaced in [1/{1:G6}, 1], randomly rotated; optimum 0", Dimension, Condition);

        public override string GradientKind => string.Format(CultureInfo.InvariantCulture,
            "delayed: the exact gradient from {0} steps back (the first step's while fewer than {0} have passed); the loss is current", Delay);

        public override double TargetLoss => _targetGap;

        public override double? OptimumLoss => 0;

        public override long DefaultSteps => _defaultSteps;

        public override void Reset(ulong seed)
        {
            _calls = 0;
            Array.Clear(_ring);
        }

        /// <summary>The calls so far and the ring of gradients.</summary>
        public override void WriteRunState(System.IO.BinaryWriter writer)
        {
            ArgumentNullException.ThrowIfNull(writer);
            writer.Write(_calls);
            writer.Write(_ring.Length);
            foreach (var g in _ring) writer.Write(g);
        }

        public override void ReadRunState(System.IO.BinaryReader reader)
        {
            ArgumentNullException.ThrowIfNull(reader);
            long calls = reader.ReadInt64();
            int length = reader.ReadInt32();
            if (calls < 0 || length != _ring.Length) throw new System.IO.InvalidDataException("the state of task " + Name + " holds a ring of " + length + " values, the task's has " + _ring.Length);
            var ring = new double[length];
            for (int i = 0; i < length; i++) ring[i] = reader.ReadDouble();
            _calls = calls;
            ring.CopyTo(_ring, 0);
        }

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            int n = Dimension, slots = Delay + 1;
            var current = _ring.AsSpan((int)(_calls % slots) * n, n);
            double loss = _form.Evaluate(theta, current);
            long from = _calls >= Delay ? _calls - Delay : 0;
            _ring.AsSpan((int)(from % slots) * n, n).CopyTo(grad);
            _calls++;
            return loss;
        }

        protected override double EvaluateExactCore(ReadOnlySpan<double> theta, Span<double> grad, long step) => _form.Evaluate(theta, grad);
    }
}
