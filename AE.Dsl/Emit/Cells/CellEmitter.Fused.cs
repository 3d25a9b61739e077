using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.IR;

namespace AE.Dsl.Emit.Cells
{
    /// <summary>
    /// Fused elementwise loops: consecutive elementwise values of one statement, of one length, whose operands are
    /// values of that length or numbers, run as one loop over the elements and the batch together, a Vector&lt;T&gt;
    /// at a time (CellMath's V functions: float32 polynomials, float64 the reference's functions lane by lane), then
    /// the last elements one at a time. Every value is still stored in its frame slot (the adjoint reads them); inside
    /// the loop a value's later readers take it from a register. The adjoint runs the same values in reverse in one loop,
    /// the adjoints of the run's own values kept in registers.
    /// </summary>
    internal sealed partial class CellEmitter
    {
        /// <summary>Whether a value can run in a fused vector loop: elementwise, not boolean, with a vector spelling, its operands of its length or numbers.</summary>
        private bool IsFusable(CellValue v)
        {
            if (!IsElementwise(v.Op) || v.IsBool) return false;
            bool ok = v.Op switch
            {
                CellOp.Broadcast => v.Args[0] is not ValueArg,
                CellOp.Negate => true,
                CellOp.Binary => v.Binary is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div
                    || v.Binary == BinaryOp.Pow && v.Args[1] is LiteralArg { Value: 2 },
                CellOp.Call or CellOp.Activation => v.Args.Count == 1 && CellSpellings.Vectorised.Contains(v.Function!),
                _ => false,
            };
            return ok && v.Args.All(x => x switch
            {
                ValueArg va => !_s.Values[va.Id].IsBool && _s.Values[va.Id].Length == v.Length,
                ParamArg p => p.Length == 1,
                _ => true,
            });
        }

        /// <summary>The step's values (leaves left out) in order, grouped: a fusable run of one statement and one length, or one other value.</summary>
        private List<List<CellValue>> Runs()
        {
            var runs = new List<List<CellValue>>();
            foreach (var v in _s.Values)
            {
                if (v.Op is CellOp.Input or CellOp.State) continue;
                var last = runs.Count > 0 ? runs[runs.Count - 1] : null;
                if (last != null && IsFusable(v) && IsFusable(last[0]) && last[0].Statement == v.Statement && last[0].Length == v.Length) last.Add(v);
                else runs.Add(new List<CellValue> { v });
            }
            return runs;
        }

        /// <summary>The loop index of a run: k over elements and batch together, or b for numbers per sample.</summary>
        private static string RunIndex(CellValue v) => v.Length == 1 ? "b" : Flat;

        private static string Slot(CellValue v) => $"{v.Offset} * B + {RunIndex(v)}";

        private static string Count(CellValue v) => v.Length == 1 ? "B" : $"{v.Length} * B";

        /// <summary>An operand as a vector inside a run: a register for a value computed earlier in the run, else a load or a broadcast number.</summary>
        private string VRead(CellArg arg, string index, string frame, ISet<int>? inRegisters = null) => arg switch
        {
            ValueArg v when inRegisters != null && inRegisters.Contains(v.Id) => "v" + v.Id,
            ValueArg v => Load(frame, $"{_s.Values[v.Id].Offset} * B + {index}"),
            _ => $"Vec({Read(arg, index)})",
        };

        private string VectorValue(CellValue v, string index, ISet<int> inRegisters)
        {
            string X(int k) => VRead(v.Args[k], index, "f", inRegisters);
            switch (v.Op)
            {
                case CellOp.Broadcast: return X(0);
                case CellOp.Negate: return "-" + X(0);
                case CellOp.Call:
                case CellOp.Activation: return $"{CellSpellings.VectorValue(v.Function!)}({X(0)})";
                case CellOp.Binary:
                    return v.Binary == BinaryOp.Pow ? $"VSquare({X(0)})" : Arithmetic(v.Binary, X(0), X(1));
                default: throw new InvalidOperationException("not fusable: " + v.Op);
            }
        }

        /// <summary>
        /// Whether the code being printed is a loop's remainder: the same vector code on each element broadcast (its lane 0
        /// stored), so an element's value does not depend on whether it falls in a whole vector or past the last one (in
        /// float32 the vector functions differ from MathF's in the last bits; a sample's values must not depend on its place
        /// in the batch).
        /// </summary>
        private bool _remainder;

        /// <summary>A vector of a frame's elements from an index, or in the remainder that one element broadcast.</summary>
        private string Load(string frame, string at) => _remainder ? $"Vec({frame}[{at}])" : $"Ld({frame}, {at})";

        private string Store(string frame, string at, string v) => _remainder ? $"{frame}[{at}] = {v}[0];" : $"St({frame}, {at}, {v});";

        private string AddStore(string frame, string at, string v) => _remainder ? $"{frame}[{at}] += ({v})[0];" : $"AddSt({frame}, {at}, {v});";

        /// <summary>A vector loop over a run's elements (or the batch), then the remainder, one element at a time, with the same body.</summary>
        private void VectorAndRemainder(CodeWriter w, string index, string count, Action body)
        {
            using (w.Block($"for (int {index} = 0; {index} <= {count} - W; {index} += W)"))
                body();
            _remainder = true;
            try
            {
                using (w.Block($"for (int {index} = {count} / W * W; {index} < {count}; {index}++)"))
                    body();
            }
            finally { _remainder = false; }
        }

        private void EmitFused(CodeWriter w, List<CellValue> run)
        {
            var first = run[0];
            if (run.Count == 1 && first.Function == "tanh" && first.Args[0] is ValueArg x)
            {
                // A lone tanh (a net's activation): the span kernel, which takes the widest vectors the CPU has.
                w.Line($"Tanh(f.Slice({_s.Values[x.Id].Offset} * B, {first.Length} * B), f.Slice({first.Offset} * B, {first.Length} * B));");
                return;
            }
            string k = RunIndex(first);
            VectorAndRemainder(w, k, Count(first), () =>
            {
                var inRegisters = new HashSet<int>();
                foreach (var v in run)
                {
                    w.Line($"var v{v.Id} = {VectorValue(v, k, inRegisters)}; {Store("f", Slot(v), "v" + v.Id)}");
                    inRegisters.Add(v.Id);
                }
            });
        }

        private void EmitFusedAdjoint(CodeWriter w, List<CellValue> run)
        {
            var first = run[0];
            string k = RunIndex(first);
            var ids = new HashSet<int>(run.Select(v => v.Id));
            VectorAndRemainder(w, k, Count(first), () =>
            {
                var pending = new HashSet<int>();
                for (int j = run.Count - 1; j >= 0; j--)
                {
                    var v = run[j];
                    if (v.Args.All(x => Target(x) == null)) continue;
                    string g = "g" + v.Id;
                    if (!pending.Contains(v.Id)) w.Line($"var {g} = {Load("a", Slot(v))};");
                    foreach (var (target, amount) in VectorShares(v, g, k))
                    {
                        switch (target)
                        {
                            case ValueArg t when ids.Contains(t.Id):
                                w.Line(pending.Add(t.Id) ? $"var g{t.Id} = {Load("a", Slot(_s.Values[t.Id]))} + {amount};" : $"g{t.Id} += {amount};");
                                break;
                            case ValueArg t:
                                w.Line(AddStore("a", $"{_s.Values[t.Id].Offset} * B + {k}", amount));
                                break;
                            case ParamArg p:
                                w.Line(_remainder ? $"{Target(p, k)} += ({amount})[0];" : $"{Target(p, k)} += VSum({amount});");
                                break;
                        }
                    }
                }
            });
        }

        // ------------------------------------------------------------ reductions and softmax over the batch a vector at a time

        private const string BatchVectorLoop = "for (int b = 0; b <= B - W; b += W)";
        private const string BatchRemainderLoop = "for (int b = B / W * W; b < B; b++)";

        /// <summary>
        /// Whether a reduction or softmax runs over the batch a vector at a time (each sample's sum still in element order):
        /// its operands are values (not bool), and a logsumexp stays one sample at a time.
        /// </summary>
        private bool IsBatchVector(CellValue v) =>
            (v.Op == CellOp.Softmax || v.Op == CellOp.Reduce && v.Function is "sum" or "mean" or "dot" or "norm")
            && v.Args.All(x => x is ValueArg va && !_s.Values[va.Id].IsBool);

        /// <summary>Element i of an operand for a vector of samples from b.</summary>
        private string VElement(CellArg arg) => Load("f", $"({_s.Values[((ValueArg)arg).Id].Offset} + i) * B + b");

        private void EmitReduceVector(CodeWriter w, CellValue v)
        {
            var a = v.Args;
            int n = _s.Values[((ValueArg)a[0]).Id].Length;
            string x = VElement(a[0]), result = $"{v.Offset} * B + b";
            switch (v.Function)
            {
                case "sum": w.Line($"var s = Vec(T.Zero); for (int i = 0; i < {n}; i++) s += {x}; {Store("f", result, "s")}"); break;
                case "mean": w.Line($"var s = Vec(T.Zero); for (int i = 0; i < {n}; i++) s += {x}; {Store("f", result, "(s / Vec(T.CreateTruncating(" + n + ")))")}"); break;
                case "dot": w.Line($"var s = Vec(T.Zero); for (int i = 0; i < {n}; i++) s += {x} * {VElement(a[1])}; {Store("f", result, "s")}"); break;
                case "norm": w.Line($"var s = Vec(T.Zero); for (int i = 0; i < {n}; i++) s += {x} * {x}; {Store("f", result, "VSqrt(s)")}"); break;
            }
        }

        private void ReduceAdjointVector(CodeWriter w, CellValue v)
        {
            var a = v.Args;
            int n = _s.Values[((ValueArg)a[0]).Id].Length;
            string Slot(CellArg arg) => $"({_s.Values[((ValueArg)arg).Id].Offset} + i) * B + b";
            bool tx = Target(a[0]) != null;
            switch (v.Function)
            {
                case "sum": if (tx) w.Line($"for (int i = 0; i < {n}; i++) {AddStore("a", Slot(a[0]), "g")}"); break;
                case "mean": if (tx) w.Line($"for (int i = 0; i < {n}; i++) {AddStore("a", Slot(a[0]), "g / Vec(T.CreateTruncating(" + n + "))")}"); break;
                case "dot":
                    if (tx) w.Line($"for (int i = 0; i < {n}; i++) {AddStore("a", Slot(a[0]), $"Share(g, {VElement(a[1])})")}");
                    if (Target(a[1]) != null) w.Line($"for (int i = 0; i < {n}; i++) {AddStore("a", Slot(a[1]), $"Share(g, {VElement(a[0])})")}");
                    break;
                case "norm":
                {
                    // as the scalar adjoint: nothing where the norm is zero
                    string y = Load("f", $"{v.Offset} * B + b");
                    if (tx) w.Line($"for (int i = 0; i < {n}; i++) {AddStore("a", Slot(a[0]), $"NonZero({y}, Share(g, {VElement(a[0])}) / {y})")}");
                    break;
                }
            }
        }

        /// <summary>Each operand's share of a fused value's adjoint <paramref name="g"/>, for the operands that carry a gradient.</summary>
        private IEnumerable<(CellArg Target, string Amount)> VectorShares(CellValue v, string g, string index)
        {
            var a = v.Args;
            string X(int k) => VRead(a[k], index, "f");
            var shares = new List<(int, string)>();
            switch (v.Op)
            {
                case CellOp.Broadcast: shares.Add((0, g)); break;
                case CellOp.Negate: shares.Add((0, "-" + g)); break;
                case CellOp.Call:
                case CellOp.Activation:
                    shares.Add((0, $"ShareThrough({g}, {CellSpellings.VectorDerivative(v.Function!)}({X(0)}, {Load("f", Slot(v))}))"));
                    break;
                case CellOp.Binary:
                    switch (v.Binary)
                    {
                        case BinaryOp.Add: shares.Add((0, g)); shares.Add((1, g)); break;
                        case BinaryOp.Sub: shares.Add((0, g)); shares.Add((1, "-" + g)); break;
                        case BinaryOp.Mul: shares.Add((0, $"Share({g}, {X(1)})")); shares.Add((1, $"Share({g}, {X(0)})")); break;
                        case BinaryOp.Div: shares.Add((0, $"Share({g}, Vec(T.One) / {X(1)})")); shares.Add((1, $"Share({g}, -{X(0)} / ({X(1)} * {X(1)}))")); break;
                        // d/dx x^2 = 2 x, as the scalar adjoint (and the reference) computes it.
                        case BinaryOp.Pow: shares.Add((0, $"Share({g}, Vec({Literal(2)}) * {X(0)})")); break;
                    }
                    break;
            }
            foreach (var (k, amount) in shares)
                if (Target(a[k], index) != null) yield return (a[k], amount);
        }
    }
}
