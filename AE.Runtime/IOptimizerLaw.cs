using System;
using System.Collections.Generic;

namespace AE.Runtime
{
    /// <summary>
    /// A compiled law that drives a parameter vector from a loss and its gradient: what the
    /// generator emits for a law whose inputs are one scalar and one vector of its run-time dim, and
    /// whose host-owned state is one vector of that dim (the shape of AE-SGDm and AE-Adam).
    /// </summary>
    public interface IOptimizerLaw
    {
        /// <summary>The law's name in the .ae file.</summary>
        string LawName { get; }

        /// <summary>The parameter count the law was built for.</summary>
        int Dimension { get; }

        /// <summary>Steps taken so far.</summary>
        long StepCount { get; }

        void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta);

        void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta);

        /// <summary>Every scalar the host can read after a step: signals, coefficients, scalar state, accumulators.</summary>
        IReadOnlyList<string> SignalNames { get; }

        /// <summary>The value of <see cref="SignalNames"/>[index] after the last step.</summary>
        double ReadSignal(int index);

        /// <summary>Rules that can be switched off at run time, in order.</summary>
        IReadOnlyList<string> RuleIds { get; }

        /// <summary>Switches a rule on or off for the following steps.</summary>
        void SetRule(string id, bool enabled);
    }
}
