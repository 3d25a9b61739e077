using System;
using System.Collections.Generic;
using System.Numerics;
using AE.Runtime;

namespace AE.Experiments.Baselines
{
    /// <summary>
    /// What the hand-written baseline optimizers share: an <see cref="IOptimizerLaw"/> with no
    /// switchable rules, span checks, and a step written once for double and float storage (state
    /// and arithmetic in double in both). State is allocated by the constructor; a step allocates
    /// nothing. Signals are read after each step; <c>L</c> is the loss handed in, <c>alpha</c> the
    /// learning rate used by the step, <c>gnorm</c> ‖g‖, <c>step_norm</c> ‖θ_t − θ_{t−1}‖.
    /// </summary>
    public abstract class BaselineLaw : IOptimizerLaw
    {
        private static readonly string[] NoRules = Array.Empty<string>();
        private readonly string[] _signalNames;

        /// <summary>The signal values after the last step, in <see cref="SignalNames"/> order.</summary>
        protected readonly double[] Signals;

        protected BaselineLaw(string lawName, int dimension, string[] signalNames)
        {
            if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension 'n' must be at least 1");
            LawName = lawName ?? throw new ArgumentNullException(nameof(lawName));
            Dimension = dimension;
            _signalNames = signalNames ?? throw new ArgumentNullException(nameof(signalNames));
            Signals = new double[signalNames.Length];
        }

        public string LawName { get; }

        public int Dimension { get; }

        public long StepCount { get; private set; }

        public IReadOnlyList<string> SignalNames => _signalNames;

        public IReadOnlyList<string> RuleIds => NoRules;

        public double ReadSignal(int index)
        {
            if ((uint)index >= (uint)Signals.Length) throw new ArgumentOutOfRangeException(nameof(index), index, LawName + " has " + Signals.Length + " signals");
            return Signals[index];
        }

        /// <summary>The value of a signal by name.</summary>
        /// <exception cref="ArgumentException">no such signal; the message lists them</exception>
        public double ReadSignal(string name)
        {
            for (int i = 0; i < _signalNames.Length; i++)
                if (string.Equals(_signalNames[i], name, StringComparison.Ordinal)) return Signals[i];
            throw new ArgumentException(LawName + " has no signal '" + name + "'; its signals: " + string.Join(", ", _signalNames), nameof(name));
        }

        public void SetRule(string id, bool enabled) =>
            throw new ArgumentException("the baseline " + LawName + " has no switchable rules (asked for '" + id + "')", nameof(id));

        public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta)
        {
            CheckLengths(grad.Length, theta.Length);
            StepCount++;
            StepCore(loss, grad, theta);
        }

        public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta)
        {
            CheckLengths(grad.Length, theta.Length);
            StepCount++;
            StepCore(loss, grad, theta);
        }

        /// <summary>One step; <see cref="StepCount"/> is already the number of this step (1 for the first).</summary>
        protected abstract void StepCore<T>(double loss, ReadOnlySpan<T> grad, Span<T> theta) where T : unmanaged, IFloatingPointIeee754<T>;

        private void CheckLengths(int grad, int theta)
        {
            if (grad != Dimension) throw new ArgumentException("grad has " + grad + " values; " + LawName + " was built for n = " + Dimension, nameof(grad));
            if (theta != Dimension) throw new ArgumentException("theta has " + theta + " values; " + LawName + " was built for n = " + Dimension, nameof(theta));
        }

        protected static void CheckRate(string name, double value, bool allowZero = false)
        {
            if (double.IsNaN(value) || double.IsInfinity(value) || value < 0 || (!allowZero && value == 0))
                throw new ArgumentOutOfRangeException(name, value, "'" + name + "' must be finite and " + (allowZero ? ">= 0" : "> 0"));
        }

        protected static void CheckUnit(string name, double value)
        {
            if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(name, value, "'" + name + "' must lie in [0, 1)");
        }
    }
}
