using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Schedule
{
    /// <summary>
    /// The memory traffic of one step over the vectors, as the schedule lays it out: each pass reads every input and state
    /// vector its reductions and elements read (once per element, whatever the number of reads), and the final pass writes
    /// every state vector the step updates. Values computed within a pass (a local vector, a state's next value) stay in
    /// registers. The count per element times the element's size is the bytes per parameter a step moves.
    /// </summary>
    /// <remarks>
    /// A pass whose every reduction the step needs only under a condition (a switched rule, a 'when', a param such as
    /// AE-SGDm's step_norm_max that is infinite by default) is skipped when the condition does not hold: it is counted in
    /// <see cref="ConditionalPasses"/>, not in the reads a step must make.
    /// </remarks>
    /// <param name="Passes">loops over the vectors that every step makes</param>
    /// <param name="Reads">vector reads per element, summed over those passes</param>
    /// <param name="Writes">vector writes per element (the final pass's)</param>
    /// <param name="ConditionalPasses">loops made only when a condition holds</param>
    public sealed record VectorTraffic(int Passes, int Reads, int Writes, int ConditionalPasses = 0)
    {
        /// <summary>Vector elements read or written per element index per step.</summary>
        public int Accesses => Reads + Writes;
    }

    internal sealed partial class StepSchedule
    {
        /// <summary>The step's traffic over the vectors (<see cref="VectorTraffic"/>).</summary>
        public VectorTraffic Traffic()
        {
            var memory = new HashSet<string>(
                Unit.Inputs.Where(i => !i.Type.IsScalar).Select(i => i.Name).Concat(Unit.States.Where(s => !s.Type.IsScalar).Select(s => s.Name)),
                StringComparer.Ordinal);
            int passes = 0, reads = 0, writes = 0, conditional = 0;
            foreach (var pass in Passes.Where(p => p.Elements.Count > 0 || p.Reductions.Count > 0))
            {
                if (!pass.IsFinal && !Lagged && pass.Reductions.All(r => IsConditional(NeedOf(r, pass))))
                {
                    conditional++;
                    continue;
                }
                passes++;
                var read = new HashSet<string>(StringComparer.Ordinal);
                var expressions = pass.Reductions.SelectMany(r => r.Call.Args).Concat(pass.Elements.SelectMany(e => e.Expressions));
                foreach (var e in expressions.SelectMany(IrFacts.Descendants))
                    if (e is IrRef { Time: RefTime.Current } r && memory.Contains(r.Name)) read.Add(r.Name);
                reads += read.Count;
                if (pass.IsFinal)
                    writes += Unit.States.Count(s => !s.Type.IsScalar && FinalVersions.ContainsKey(s.Name));
            }
            return new VectorTraffic(passes, reads, writes, conditional);
        }

        private static bool IsConditional(ReductionNeed need) => need.Switch is not null || need.Conds.Count > 0 || need.Path.Count > 0;
    }
}
