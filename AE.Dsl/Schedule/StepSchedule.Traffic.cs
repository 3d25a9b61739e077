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
    /// <param name="Reads">vector reads, summed over those passes</param>
    /// <param name="Writes">vector writes (the final pass's)</param>
    /// <param name="ConditionalPasses">loops made only when a condition holds</param>
    /// <param name="Lengths">the length of each vector read or written, in the run-time dims (a derived dim written out):
    /// a law's vectors need not all have the parameters' length (<c>real[w]</c> with <c>dim w = 7</c>, <c>real[3 * n]</c>)</param>
    /// <param name="WideLengths">those of <paramref name="Lengths"/> whose vectors are float64 whatever the step's precision:
    /// the vector params a pass reads and the vector signals the final pass writes (the step's own vectors follow it)</param>
    public sealed record VectorTraffic(int Passes, int Reads, int Writes, int ConditionalPasses = 0, EqArray<DimExpr>? Lengths = null, EqArray<DimExpr>? WideLengths = null)
    {
        /// <summary>Vector reads and writes per step that are float64 in every step (<see cref="WideLengths"/>).</summary>
        public int WideAccesses => WideLengths?.Count ?? 0;

        /// <summary>Bytes a step moves: each element at <paramref name="elementBytes"/> (4 in a float32 step, 8 in float64), the wide ones at 8.</summary>
        public long Bytes(long parameters, Func<string, long> dim, int elementBytes) =>
            Elements(parameters, dim) * elementBytes
            + (WideLengths is { } wide ? wide.Sum(l => l.EvaluateLong(dim)) : 0) * (8 - elementBytes);

        /// <summary>Bytes per parameter where every vector is one run-time dim long (<see cref="AllOneRunTimeDim"/>).</summary>
        public int BytesPerParam(int elementBytes) => (int)Bytes(1, _ => 1, elementBytes);

        /// <summary>Vector reads and writes per step.</summary>
        public int Accesses => Reads + Writes;

        /// <summary>Elements read or written per step, each vector at its length for the run-time dims <paramref name="dim"/> gives
        /// (without <see cref="Lengths"/>, every vector is <paramref name="parameters"/> long).</summary>
        public long Elements(long parameters, Func<string, long> dim) =>
            Lengths is { } lengths ? lengths.Sum(l => l.EvaluateLong(dim)) : Accesses * parameters;

        /// <summary>Whether every vector read or written is one run-time dim long (the parameters' length in an optimizer law):
        /// then a step moves <see cref="Accesses"/> elements per parameter at every size.</summary>
        public bool AllOneRunTimeDim => Lengths is not { } lengths || lengths.All(l => l.Constant == 0 && l.Terms.Count == 1 && l.Terms[0].Value == 1);
    }

    internal sealed partial class StepSchedule
    {
        /// <summary>The step's traffic over the vectors (<see cref="VectorTraffic"/>).</summary>
        public VectorTraffic Traffic()
        {
            var memory = Unit.Inputs.Where(i => !i.Type.IsScalar).Select(i => (i.Name, i.Type))
                .Concat(Unit.States.Where(s => !s.Type.IsScalar).Select(s => (s.Name, s.Type)))
                .Concat(Unit.Params.Where(p => !p.Type.IsScalar).Select(p => (p.Name, p.Type)))
                .ToDictionary(v => v.Name, v => InRunTimeDims(v.Type.Shape[0]), StringComparer.Ordinal);
            var wideParams = new HashSet<string>(Unit.Params.Where(p => !p.Type.IsScalar).Select(p => p.Name), StringComparer.Ordinal);
            var lengths = new List<DimExpr>();
            var wide = new List<DimExpr>();
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
                    if (e is IrRef { Time: RefTime.Current } r && memory.ContainsKey(r.Name) && read.Add(r.Name))
                    {
                        lengths.Add(memory[r.Name]);
                        if (wideParams.Contains(r.Name)) wide.Add(memory[r.Name]);
                    }
                reads += read.Count;
                if (pass.IsFinal)
                {
                    var written = Unit.States.Where(s => !s.Type.IsScalar && FinalVersions.ContainsKey(s.Name)).ToList();
                    var signals = Unit.Signals.Where(s => !s.Type.IsScalar && FinalVersions.ContainsKey(s.Name)).Select(s => InRunTimeDims(s.Type.Shape[0])).ToList();
                    writes += written.Count + signals.Count;
                    lengths.AddRange(written.Select(s => memory[s.Name]));
                    lengths.AddRange(signals);
                    wide.AddRange(signals);
                }
            }
            return new VectorTraffic(passes, reads, writes, conditional, new EqArray<DimExpr>(lengths.ToArray()), new EqArray<DimExpr>(wide.ToArray()));
        }

        /// <summary>A length with every dim derived from others written out, down to the run-time dims (fixed ones are numbers).</summary>
        private DimExpr InRunTimeDims(DimExpr length, int depth = 0)
        {
            if (depth > Unit.Dims.Count) throw new InvalidOperationException("internal: dims defined in a cycle");
            var result = DimExpr.Const(length.Constant);
            foreach (var t in length.Terms)
            {
                var dim = Unit.Dims.FirstOrDefault(d => d.Name == t.Key);
                result += (dim is null || dim.IsRuntime ? DimExpr.Symbol(t.Key) : InRunTimeDims(dim.Value, depth + 1)).Scale(t.Value);
            }
            return result;
        }

        private static bool IsConditional(ReductionNeed need) => need.Switch is not null || need.Conds.Count > 0 || need.Path.Count > 0;
    }
}
