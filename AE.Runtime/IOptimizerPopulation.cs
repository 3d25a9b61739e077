using System;
using System.Collections.Generic;

namespace AE.Runtime
{
    /// <summary>
    /// K controllers of one optimizer law stepped together (the generated <c>{Law}Population</c> of a
    /// law with <see cref="IOptimizerLaw"/>'s shape): controller j is the law built with its own
    /// options and seed + j, and its results are bit for bit that law's. Vectors are element-major:
    /// element i of controller j is at [i * Count + j].
    /// </summary>
    public interface IOptimizerPopulation
    {
        /// <summary>The law's name in the .ae file.</summary>
        string LawName { get; }

        /// <summary>Controllers in the population.</summary>
        int Count { get; }

        /// <summary>The parameter count of each controller.</summary>
        int Dimension { get; }

        /// <summary>Steps taken so far.</summary>
        long StepCount { get; }

        /// <param name="loss">one loss per controller</param>
        /// <param name="grad">Dimension x Count gradients, element-major</param>
        /// <param name="theta">Dimension x Count parameters, element-major, updated in place</param>
        void Step(ReadOnlySpan<double> loss, ReadOnlySpan<double> grad, Span<double> theta);

        /// <summary>The same over float data; the arithmetic is double, as the law's float step.</summary>
        void Step(ReadOnlySpan<float> loss, ReadOnlySpan<float> grad, Span<float> theta);

        /// <summary>Every scalar the host can read after a step, as <see cref="IOptimizerLaw.SignalNames"/>.</summary>
        IReadOnlyList<string> SignalNames { get; }

        /// <summary>The value of <see cref="SignalNames"/>[index] of one controller after the last step.</summary>
        double ReadSignal(int controller, int index);

        /// <summary>The value of <see cref="SignalNames"/>[index] of every controller, into values[0..Count).</summary>
        void ReadSignal(int index, Span<double> values);

        /// <summary>Rules that can be switched off at run time, in order.</summary>
        IReadOnlyList<string> RuleIds { get; }

        /// <summary>Switches a rule on or off for every controller.</summary>
        void SetRule(string id, bool enabled);

        /// <summary>Switches a rule on or off for one controller.</summary>
        void SetRule(int controller, string id, bool enabled);
    }
}
