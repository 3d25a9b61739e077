using System.Globalization;
using System.Linq;
using System.Text;

namespace AE.Dsl.IR
{
    /// <summary>
    /// A deterministic text form of the IR: one line per declaration and statement, types on every
    /// definition, time and filter slots visible. Used by tests and by humans reading what the
    /// checker understood.
    /// </summary>
    public static class IrPrinter
    {
        public static string Print(IrUnit u)
        {
            var sb = new StringBuilder();
            sb.Append(u.Smooth ? "smooth " : "").Append(u.Kind == UnitKind.Law ? "law " : "cell ").Append(u.Name).Append('\n');
            foreach (var d in u.Dims) sb.Append("  dim ").Append(d.Name).Append(d.IsRuntime ? "" : " = " + d.Value).Append('\n');
            foreach (var p in u.Params)
            {
                sb.Append("  param ").Append(p.Name).Append(": ").Append(p.Type);
                if (p.Range != null) sb.Append(" in ").Append(Range(p.Range));
                sb.Append(" = ").Append(Expr(p.Default)).Append('\n');
            }
            foreach (var i in u.Inputs) sb.Append("  input ").Append(i.Name).Append(": ").Append(i.Type).Append('\n');
            foreach (var s in u.States)
            {
                sb.Append(s.Kind == SymbolKind.Coeff ? "  coeff " : "  state ").Append(s.Name).Append(": ").Append(s.Type);
                if (s.Bounds != null) sb.Append(" in ").Append(Range(s.Bounds));
                if (s.LogSpace) sb.Append(" log");
                if (s.Init != null) sb.Append(" = ").Append(Expr(s.Init));
                sb.Append('\n');
            }
            foreach (var s in u.Signals) sb.Append("  signal ").Append(s.Name).Append(": ").Append(s.Type).Append(s.Neutral != null ? " = " + Expr(s.Neutral) : "").Append('\n');
            foreach (var a in u.Accs) sb.Append("  acc ").Append(a.Name).Append(": ").Append(a.Type).Append(" = ").Append(Expr(a.Neutral)).Append('\n');
            foreach (var n in u.Nets)
                sb.Append("  net ").Append(n.Name).Append(": ").Append(n.Kind).Append('(')
                  .Append(string.Join(", ", n.Layers.Select(l => $"{l.WeightName}[{l.Out}, {l.In}]"))).Append(n.Activation != null ? ", " + n.Activation : "").Append(")\n");
            foreach (var f in u.Filters) sb.Append("  slot ").Append(f.Name).Append(": ").Append(f.Kind.ToString().ToLowerInvariant()).Append(' ').Append(f.Type).Append('\n');
            foreach (var r in u.Requires) sb.Append("  require ").Append(r.Label).Append(": ").Append(Expr(r.Condition)).Append('\n');
            foreach (var r in u.Rules)
            {
                sb.Append("  ").Append(r.IsUpdate ? "update" : (r.Ablatable ? "rule " : "fixed rule ") + r.Id);
                if (r.Smooth) sb.Append(" smooth");
                if (r.Group != null) sb.Append(" from ").Append(r.Group);
                sb.Append('\n');
                foreach (var s in r.Body) Stmt(sb, s, "    ", u);
            }
            return sb.ToString();
        }

        private static void Stmt(StringBuilder sb, IrStmt s, string indent, IrUnit u)
        {
            switch (s)
            {
                case IrDefine d:
                    sb.Append(indent).Append(d.Name).Append(": ").Append(d.Value.Type).Append(" = ").Append(Expr(d.Value)).Append('\n');
                    break;
                case IrSetNext n:
                    sb.Append(indent).Append(n.Name).Append("' = ").Append(Expr(n.Value)).Append('\n');
                    break;
                case IrAccumulate a:
                    sb.Append(indent).Append(a.Name).Append(" += ").Append(Expr(a.Value)).Append('\n');
                    break;
                case IrWhen w:
                    sb.Append(indent).Append("when ").Append(Expr(w.Condition)).Append('\n');
                    foreach (var t in w.Then) Stmt(sb, t, indent + "  ", u);
                    if (w.Else.Count > 0)
                    {
                        sb.Append(indent).Append("else\n");
                        foreach (var e in w.Else) Stmt(sb, e, indent + "  ", u);
                    }
                    break;
            }
        }

        private static string Range(IrRange r) => (r.LoOpen ? "(" : "[") + Expr(r.Lo) + ", " + Expr(r.Hi) + (r.HiOpen ? ")" : "]");

        /// <summary>A statement as the checker understood it, on one line ('when' blocks: their condition only).</summary>
        public static string Statement(IrStmt s) => s switch
        {
            IrDefine d => d.Name + " = " + Expr(d.Value),
            IrSetNext n => n.Name + "' = " + Expr(n.Value),
            IrAccumulate a => a.Name + " += " + Expr(a.Value),
            IrWhen w => "when " + Expr(w.Condition),
            _ => "",
        };

        /// <summary>How generated code heads a rule's statements: 'rule AE5 "title"', 'fixed rule AE1', 'update', and the group it came from.</summary>
        public static string RuleLabel(IrRule r) =>
            (r.IsUpdate ? "update" : (r.Ablatable ? "rule " : "fixed rule ") + r.Id) + (r.Title != null ? " \"" + r.Title + "\"" : "") + (r.Group != null ? " (from group " + r.Group + ")" : "");

        /// <summary>
        /// An expression as the .ae file writes it, for messages to its author: as <see cref="Expr"/>, but a filter without
        /// the slot the compiler gave it (<c>ema(0.9, grad)</c>, not <c>ema@a.ema(0.9, grad)</c>).
        /// </summary>
        public static string Source(IrExpr e) => Print(e, slots: false);

        /// <summary>An expression as generated code's comments show it: filters with their slot (<c>ema@a.ema(0.9, grad)</c>).</summary>
        public static string Expr(IrExpr e) => Print(e, slots: true);

        private static string Print(IrExpr e, bool slots) => e switch
        {
            IrConst c when c.Type.Scalar == ScalarType.Bool => c.Value != 0 ? "true" : "false",
            IrConst c => Number(c.Value),
            IrRef r => r.Time == RefTime.Next ? r.Name + "'" : r.Name,
            IrStep => "step",
            IrUnary u => (u.Op == IrUnaryOp.Negate ? "-" : "!") + Wrap(u.Operand, slots),
            IrBinary b => Wrap(b.Left, slots) + " " + Operators.Text(b.Op) + " " + Wrap(b.Right, slots),
            IrSelect s => Wrap(s.Condition, slots) + " ? " + Wrap(s.WhenTrue, slots) + " : " + Wrap(s.WhenFalse, slots),
            IrCall c => c.Function + "(" + string.Join(", ", c.Args.Select(a => Print(a, slots))) + ")",
            IrFilter f => f.Kind.ToString().ToLowerInvariant() + (slots ? "@" + f.Slot : "") + "(" + string.Join(", ", f.Args.Select(a => Print(a, slots))) + ")",
            IrNetApply n => n.Net + "(" + Print(n.Input, slots) + ")",
            IrNoise n => n.Type.IsScalar ? "noise()" : "noise(" + n.Type.Shape[0] + ")",
            _ => "?",
        };

        private static string Wrap(IrExpr e, bool slots) => e is IrBinary or IrSelect ? "(" + Print(e, slots) + ")" : Print(e, slots);

        private static string Number(double v)
        {
            if (double.IsPositiveInfinity(v)) return "inf";
            if (double.IsNegativeInfinity(v)) return "-inf";
            return v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        }
    }
}
