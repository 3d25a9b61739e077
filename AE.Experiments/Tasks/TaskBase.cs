using System;
using System.IO;
using AE.Runtime;

namespace AE.Experiments.Tasks
{
    /// <summary>What every task shares: the descriptive properties, span checks and seed streams.</summary>
    public abstract class TaskBase : ITask, IResumableTask
    {
        protected TaskBase(string name, int dimension)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a task needs a name", nameof(name));
            if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be at least 1");
            Name = name;
            Dimension = dimension;
        }

        public string Name { get; }

        public abstract string Description { get; }

        public abstract string GradientKind { get; }

        public int Dimension { get; }

        public virtual bool IsStochastic => false;

        public virtual bool LossIsExact => true;

        public abstract double TargetLoss { get; }

        public abstract double? OptimumLoss { get; }

        public virtual long AcceptAfter => 0;

        /// <summary>
        /// What the data the task reads are, for a run checkpoint's identity ("" for a task whose problem its construction
        /// fixes): a task over a data set gives a digest of the samples it loaded, so that a checkpoint is not resumed on other files.
        /// </summary>
        public virtual string DataIdentity => "";

        public abstract long DefaultSteps { get; }

        public virtual void Reset(ulong seed) { }

        /// <summary>Nothing by default: a task whose <see cref="Evaluate"/> keeps no state between calls.</summary>
        public virtual void WriteRunState(BinaryWriter writer) { }

        /// <summary>Nothing by default (see <see cref="WriteRunState"/>).</summary>
        public virtual void ReadRunState(BinaryReader reader) { }

        /// <summary>A random stream as its four words.</summary>
        protected static void WriteSource(BinaryWriter writer, in GaussianSource source)
        {
            ArgumentNullException.ThrowIfNull(writer);
            Span<ulong> words = stackalloc ulong[4];
            source.GetState(words);
            foreach (var w in words) writer.Write(w);
        }

        /// <summary>A random stream written by <see cref="WriteSource"/>.</summary>
        protected static GaussianSource ReadSource(BinaryReader reader)
        {
            ArgumentNullException.ThrowIfNull(reader);
            Span<ulong> words = stackalloc ulong[4];
            for (int i = 0; i < 4; i++) words[i] = reader.ReadUInt64();
            return GaussianSource.FromState(words);
        }

        /// <summary>By default a standard normal start drawn from the seed's theta stream; tasks with a fixed start override it.</summary>
        public virtual void InitialTheta(ulong seed, Span<double> theta)
        {
            CheckTheta(theta);
            var source = new GaussianSource(Seeds.Derive(seed, Seeds.ThetaStream));
            for (int i = 0; i < theta.Length; i++) theta[i] = source.NextGaussian();
        }

        public double Evaluate(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            CheckLengths(theta, grad);
            if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be >= 0");
            return EvaluateCore(theta, grad, step);
        }

        public double EvaluateExact(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            CheckLengths(theta, grad);
            if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be >= 0");
            return EvaluateExactCore(theta, grad, step);
        }

        /// <summary>The run's loss and gradient (lengths already checked).</summary>
        protected abstract double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step);

        /// <summary>The exact loss and gradient; by default the same as <see cref="EvaluateCore"/> (deterministic tasks).</summary>
        protected virtual double EvaluateExactCore(ReadOnlySpan<double> theta, Span<double> grad, long step) => EvaluateCore(theta, grad, step);

        protected void CheckTheta(Span<double> theta)
        {
            if (theta.Length != Dimension)
                throw new ArgumentException("theta has " + theta.Length + " values; the task " + Name + " has dimension " + Dimension, nameof(theta));
        }

        private void CheckLengths(ReadOnlySpan<double> theta, Span<double> grad)
        {
            if (theta.Length != Dimension)
                throw new ArgumentException("theta has " + theta.Length + " values; the task " + Name + " has dimension " + Dimension, nameof(theta));
            if (grad.Length != Dimension)
                throw new ArgumentException("grad has " + grad.Length + " values; the task " + Name + " has dimension " + Dimension, nameof(grad));
        }

        public override string ToString() => Name + " (" + Dimension + "): " + Description;
    }

    /// <summary>Independent random streams derived from one seed (splitmix64 of the seed and a stream id).</summary>
    public static class Seeds
    {
        /// <summary>The stream for a run's start point.</summary>
        public const ulong ThetaStream = 0x7468657461UL;   // "theta"

        /// <summary>The stream for a run's gradient noise or minibatches.</summary>
        public const ulong NoiseStream = 0x6E6F697365UL;   // "noise"

        /// <summary>A seed for stream <paramref name="stream"/> of <paramref name="seed"/>.</summary>
        public static ulong Derive(ulong seed, ulong stream)
        {
            ulong z = seed * 0x9E3779B97F4A7C15UL ^ (stream + 0x632BE59BD9B4E019UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>A uniform integer in [0, n) from the source's next 64 bits (Lemire's multiply-shift; bias below 2^-50 for the sizes used here).</summary>
        public static int NextIndex(ref GaussianSource source, int n)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1");
            return (int)Math.BigMul(source.NextUInt64(), (ulong)n, out _);
        }

        /// <summary>A uniform double in [lo, hi).</summary>
        public static double NextUniform(ref GaussianSource source, double lo, double hi) =>
            lo + (hi - lo) * ((source.NextUInt64() >> 11) * (1.0 / 9007199254740992.0));
    }
}
