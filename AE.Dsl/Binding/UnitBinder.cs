using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.IR;
using AE.Dsl.Syntax;
using AE.Dsl.Text;

namespace AE.Dsl.Binding
{
    /// <summary>
    /// Binds one law or cell: declarations first (dims and params in dependency order, so cycles are
    /// found without recursion), then rules in order, then the checks that need the whole unit.
    /// </summary>
    internal sealed partial class UnitBinder
    {
        private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { "step", "pi" };

        private readonly UnitSyntax _unit;
        private readonly DiagnosticBag _bag;
        private readonly GroupTable _groups;
        private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);
        private readonly List<Symbol> _declOrder = new();

        private readonly List<IrDim> _dims = new();
        private readonly List<IrParam> _params = new();
        private readonly List<IrInput> _inputs = new();
        private readonly List<IrState> _states = new();
        private readonly List<IrSignal> _signals = new();
        private readonly List<IrAcc> _accs = new();
        private readonly List<IrNet> _nets = new();
        private readonly List<IrLocal> _locals = new();
        private readonly List<IrFilterSlot> _filters = new();
        private readonly List<IrRule> _rules = new();
        private readonly List<IrRequire> _requires = new();

        public UnitBinder(UnitSyntax unit, DiagnosticBag bag, GroupTable groups)
        {
            _unit = unit;
            _bag = bag;
            _groups = groups;
        }

        private string Path => _bag.File.Path;
        private IrOrigin Origin(TextSpan span) => new(Path, span);
        private bool UnitSmooth => _unit.IsSmooth;

        public IrUnit Bind()
        {
            DeclareMembers();
            BindDimsAndParams();
            BindStatesSignalsAndNets();
            BindRequires();
            BindRules();
            CheckObjectives();
            CheckCoefficients();
            CheckRequires();
            ReportUnused();

            var unit = new IrUnit(_unit.Kind, _unit.Name.Text, _unit.Title, _unit.IsSmooth, Origin(_unit.Name.Span),
                EqArray.From(_dims), EqArray.From(_params), EqArray.From(_inputs), EqArray.From(_states),
                EqArray.From(_signals), EqArray.From(_accs), EqArray.From(_nets), EqArray.From(_locals),
                EqArray.From(_filters), EqArray.From(_rules), EqArray.From(_requires));
            return unit;
        }

        // ---------------------------------------------------------------- declarations

        private void DeclareMembers()
        {
            foreach (var member in _unit.Members)
            {
                switch (member)
                {
                    case DimDecl d: Declare(d.Name, SymbolKind.Dim); break;
                    case ParamDecl p: Declare(p.Name, SymbolKind.Param); break;
                    case InputDecl i: Declare(i.Name, SymbolKind.Input); break;
                    case StateDecl s: Declare(s.Name, SymbolKind.State); break;
                    case CoeffDecl c: Declare(c.Name, SymbolKind.Coeff); break;
                    case SignalDecl s: { var sym = Declare(s.Name, SymbolKind.Signal); if (sym != null) sym.HasNeutral = s.Neutral != null; break; }
                    case AccDecl a: { var sym = Declare(a.Name, SymbolKind.Acc); if (sym != null) sym.HasNeutral = true; break; }
                    case NetDecl n: Declare(n.Name, SymbolKind.Net); break;
                }
            }
        }

        private Symbol? Declare(NameSyntax name, SymbolKind kind)
        {
            if (name.IsMissing) return null;
            if (Reserved.Contains(name.Text))
            {
                _bag.Report(DiagnosticCatalog.DuplicateName, name.Span, name.Text, "a built-in value", "choose another name (a built-in cannot be renamed)");
                return null;
            }
            if (_symbols.TryGetValue(name.Text, out var existing))
            {
                ReportDuplicate(name, existing.Path, existing.DeclSpan);
                return null;
            }
            var sym = new Symbol(name.Text, kind, name.Span, Path);
            _symbols[name.Text] = sym;
            _declOrder.Add(sym);
            return sym;
        }

        private void ReportDuplicate(NameSyntax name, string path, TextSpan firstSpan)
        {
            var file = _groups.BagFor(path)?.File ?? _bag.File;
            _bag.Report(DiagnosticCatalog.DuplicateName, name.Span, name.Text, "declared at " + Where.At(file, firstSpan.Start, _bag.File.Path), "rename one of them");
        }

        // ---------------------------------------------------------------- dims and params

        /// <summary>
        /// Dims and params may refer to each other in any order. Their dependency graph is sorted
        /// first; members of a cycle are reported once and bound with an error value; the rest bind
        /// in dependency order, so each only looks up names that are already resolved.
        /// </summary>
        private void BindDimsAndParams()
        {
            var decls = new Dictionary<string, MemberSyntax>(StringComparer.Ordinal);
            foreach (var m in _unit.Members)
            {
                if (m is DimDecl d && !d.Name.IsMissing && _symbols.TryGetValue(d.Name.Text, out var ds) && ds.DeclSpan == d.Name.Span) decls[d.Name.Text] = d;
                if (m is ParamDecl p && !p.Name.IsMissing && _symbols.TryGetValue(p.Name.Text, out var ps) && ps.DeclSpan == p.Name.Span) decls[p.Name.Text] = p;
            }

            var deps = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var kv in decls)
            {
                var names = new List<string>();
                foreach (var e in ConstantExpressionsOf(kv.Value)) SyntaxWalker.CollectNames(e, names);
                deps[kv.Key] = names.Where(decls.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
            }

            var order = DependencyOrder.Sort(decls.Keys.ToList(), deps, out var cycles);
            var inCycle = new HashSet<string>(StringComparer.Ordinal);
            foreach (var cycle in cycles)
            {
                var text = CyclePath(cycle);
                foreach (var n in cycle)
                {
                    inCycle.Add(n);
                    _symbols[n].Used = true; // reported as a cycle; 'unused' would only repeat it
                    var name = decls[n] is DimDecl dd ? dd.Name : ((ParamDecl)decls[n]).Name;
                    _bag.Report(DiagnosticCatalog.CyclicDefinition, name.Span, text, DiagnosticCatalog.ValueCycleAdvice);
                }
            }

            foreach (var n in order)
            {
                bool poisoned = inCycle.Contains(n) || deps[n].Any(d => _symbols[d].Type.IsError && !_symbols[d].TypeKnown);
                if (decls[n] is DimDecl dim) BindDim(dim, poisoned);
                else BindParam((ParamDecl)decls[n], poisoned);
            }

            // Keep declaration order in the IR, whatever order they were resolved in.
            foreach (var m in _unit.Members)
            {
                if (m is DimDecl d && decls.ContainsKey(d.Name.Text) && _symbols[d.Name.Text].DimValue is DimExpr v)
                    _dims.Add(new IrDim(d.Name.Text, v, d.Value == null, Origin(d.Name.Span)));
            }
            _params.Sort((a, b) => a.Origin.Span.Start.CompareTo(b.Origin.Span.Start));
        }

        /// <summary>"'a' -> 'b' -> 'a'", shortened in the middle for long cycles so messages stay short.</summary>
        internal static string CyclePath(IReadOnlyList<string> cycle)
        {
            var names = cycle.Concat(new[] { cycle[0] }).Select(n => "'" + n + "'").ToList();
            if (names.Count <= 9) return string.Join(" -> ", names);
            return string.Join(" -> ", names.Take(4)) + $" -> ... ({names.Count - 7} more) -> " + string.Join(" -> ", names.Skip(names.Count - 3));
        }

        private static IEnumerable<ExprSyntax> ConstantExpressionsOf(MemberSyntax m)
        {
            switch (m)
            {
                case DimDecl d:
                    if (d.Value != null) yield return d.Value;
                    break;
                case ParamDecl p:
                    if (p.Default != null) yield return p.Default;
                    if (p.Range != null) { yield return p.Range.Lo; yield return p.Range.Hi; }
                    if (p.Type != null) foreach (var e in p.Type.Dims) yield return e;
                    break;
            }
        }

        private void BindDim(DimDecl d, bool poisoned)
        {
            var sym = _symbols[d.Name.Text];
            sym.Type = IrType.Int;
            sym.TypeKnown = true;
            if (d.Value == null)
            {
                sym.DimValue = DimExpr.Symbol(d.Name.Text);
                return;
            }
            if (poisoned) { sym.DimValue = DimExpr.Symbol(d.Name.Text); return; }
            var value = BindDimExpr(d.Value);
            if (value is { IsConstant: true, Constant: <= 0 })
            {
                _bag.Report(DiagnosticCatalog.InvalidDimension, d.Value.Span, $"Dimension '{d.Name.Text}' is {Int(value.Constant)}; a dimension must be at least 1");
                value = DimExpr.Const(1);
            }
            sym.DimValue = value ?? DimExpr.Symbol(d.Name.Text);
        }

        private void BindParam(ParamDecl p, bool poisoned)
        {
            var sym = _symbols[p.Name.Text];
            var type = p.Type != null ? BindType(p.Type) : IrType.Real;
            sym.Type = type;
            sym.TypeKnown = !poisoned;
            IrExpr def;
            if (p.Default == null || poisoned)
            {
                def = new IrConst(0, type, p.Name.Span);
            }
            else
            {
                def = BindConst(p.Default, "The default of param '" + p.Name.Text + "'");
                def = Coerce(def, type, p.Default.Span, "the default of param '" + p.Name.Text + "'");
            }
            IrRange? range = null;
            if (p.Range != null && !poisoned)
            {
                if (type.Scalar == ScalarType.Bool)
                    _bag.Report(DiagnosticCatalog.TypeMismatch, p.Range.Span, $"A bool param cannot have a range; '{p.Name.Text}' is {type}");
                range = BindRange(p.Range, "The range of param '" + p.Name.Text + "'");
            }
            double? value = ConstEvaluator.Evaluate(def, _symbols);
            sym.ConstValue = value;
            sym.Range = range;
            if (range != null && value is double v)
            {
                var lo = ConstEvaluator.Evaluate(range.Lo, _symbols);
                var hi = ConstEvaluator.Evaluate(range.Hi, _symbols);
                bool below = lo is double l && (range.LoOpen ? v <= l : v < l);
                bool above = hi is double h && (range.HiOpen ? v >= h : v > h);
                // A range no value lies in is the range's error, not the default's.
                if (lo is double l2 && hi is double h2 && (l2 > h2 || (l2 == h2 && (range.LoOpen || range.HiOpen)) || double.IsNaN(l2) || double.IsNaN(h2)))
                    _bag.Report(DiagnosticCatalog.TypeMismatch, p.Range!.Span, $"The declared range {RangeText(range, lo, hi)} of param '{p.Name.Text}' is empty: no value lies in it");
                else if (type.Scalar == ScalarType.Int && lo is double l3 && hi is double h3 && !HoldsAnInt(l3, range.LoOpen, h3, range.HiOpen))
                    _bag.Report(DiagnosticCatalog.TypeMismatch, p.Range!.Span, $"The declared range {RangeText(range, lo, hi)} of int param '{p.Name.Text}' is empty: no whole number lies in it");
                // NaN compares false with either end: it lies in no range.
                else if ((below || above || double.IsNaN(v)) && p.Default != null)
                    _bag.Report(DiagnosticCatalog.TypeMismatch, p.Default.Span, $"The default {Fmt(v)} of param '{p.Name.Text}' lies outside its declared range {RangeText(range, lo, hi)}");
            }
            _params.Add(new IrParam(p.Name.Text, type, def, value, range, Origin(p.Name.Span)));
        }

        /// <summary>Whether a whole number lies between the ends (infinite ends hold one).</summary>
        private static bool HoldsAnInt(double lo, bool loOpen, double hi, bool hiOpen)
        {
            if (double.IsInfinity(lo) || double.IsInfinity(hi)) return true;
            double first = loOpen ? Math.Floor(lo) + 1 : Math.Ceiling(lo);
            double last = hiOpen ? Math.Ceiling(hi) - 1 : Math.Floor(hi);
            return first <= last;
        }

        private IrRange BindRange(RangeSyntax r, string what, bool differentiated = false)
        {
            var lo = Coerce(BindConst(r.Lo, what, differentiated), IrType.Real, r.Lo.Span, "a bound");
            var hi = Coerce(BindConst(r.Hi, what, differentiated), IrType.Real, r.Hi.Span, "a bound");
            return new IrRange(lo, hi, r.LoOpen, r.HiOpen);
        }

        /// <summary>What the unit is, as messages name it.</summary>
        private string UnitWord => _unit.Kind == UnitKind.Cell ? "cell" : "law";

        /// <summary>A whole number as every message writes it, whatever the culture (an ASCII minus).</summary>
        internal static string Int(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

        internal static string Fmt(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture).Replace("E", "e").Replace("Infinity", "inf");

        private static string RangeText(IrRange r, double? lo, double? hi)
            => (r.LoOpen ? "(" : "[") + (lo is double l ? Fmt(l) : "?") + ", " + (hi is double h ? Fmt(h) : "?") + (r.HiOpen ? ")" : "]");

        /// <summary>Binds a type annotation; its dimensions are dim expressions.</summary>
        private IrType BindType(TypeSyntax t)
        {
            var scalar = t.Scalar switch { ScalarKind.Int => ScalarType.Int, ScalarKind.Bool => ScalarType.Bool, _ => ScalarType.Real };
            if (t.Dims.Count == 0) return new IrType(scalar, EqArray<DimExpr>.Empty);
            if (t.Dims.Count > 1)
            {
                _bag.Report(DiagnosticCatalog.InvalidDimension, t.Span, "Only scalars and vectors are supported: write one dimension, as in real[n]");
                return IrType.Error;
            }
            var dims = new List<DimExpr>();
            foreach (var e in t.Dims)
            {
                var d = BindDimExpr(e);
                if (d == null) return IrType.Error;
                if (d.IsConstant && d.Constant <= 0)
                {
                    _bag.Report(DiagnosticCatalog.InvalidDimension, e.Span, $"A vector length must be at least 1, but this one is {Int(d.Constant)}");
                    return IrType.Error;
                }
                dims.Add(d);
            }
            return new IrType(scalar, EqArray.From(dims));
        }

        /// <summary>
        /// Evaluates a dimension: integer literals, dims, +, - and multiplication by an integer.
        /// Returns null (after reporting) when the expression is not a dimension.
        /// </summary>
        /// <summary>The largest size a dimension may have, so that sizes stay well inside 32-bit lengths.</summary>
        private const double MaxDimension = 1e9;

        private DimExpr? BindDimExpr(ExprSyntax e, DiagnosticBag? reportTo = null)
        {
            var bag = reportTo ?? _bag;
            switch (e)
            {
                case MissingExpr:
                    return null;
                case NumberExpr n:
                    if (n.Value != Math.Floor(n.Value))
                    {
                        bag.Report(DiagnosticCatalog.InvalidDimension, e.Span, $"A dimension must be a whole number, but '{n.Text}' is not");
                        return null;
                    }
                    if (Math.Abs(n.Value) > MaxDimension)
                    {
                        bag.Report(DiagnosticCatalog.InvalidDimension, e.Span, $"A dimension is at most 1e9 (1000000000), but '{n.Text}' is larger");
                        return null;
                    }
                    return DimExpr.Const((long)n.Value);
                case ParenExpr p:
                    return BindDimExpr(p.Inner, bag);
                case NameExpr ne:
                {
                    if (ne.Name.Text is "step" or "pi")
                    {
                        // Reserved names that are values, not symbols: 'unknown' would send the reader to look for a typo.
                        bag.Report(DiagnosticCatalog.InvalidDimension, e.Span, $"'{ne.Name.Text}' is {(ne.Name.Text == "step" ? "the step counter" : "a constant")}, not a dim; sizes are made of dims and whole numbers");
                        return null;
                    }
                    if (!_symbols.TryGetValue(ne.Name.Text, out var sym))
                    {
                        var dimNames = _symbols.Values.Where(x => x.Kind == SymbolKind.Dim).Select(x => x.Name);
                        var suggestion = Suggested(NameSuggestions.Closest(ne.Name.Text, dimNames));
                        bag.Report(DiagnosticCatalog.UnknownName, ne.Name.Span, ne.Name.Text, suggestion != null ? $"; did you mean the dim '{suggestion}'?" : " (no dim has this name)");
                        return null;
                    }
                    sym.Used = true;
                    if (sym.Kind != SymbolKind.Dim)
                    {
                        bag.Report(DiagnosticCatalog.InvalidDimension, e.Span, $"'{ne.Name.Text}' is {("aeiou".IndexOf(sym.KindText[0]) >= 0 ? "an" : "a")} {sym.KindText}, not a dim; sizes are made of dims and whole numbers");
                        return null;
                    }
                    return sym.DimValue ?? DimExpr.Symbol(sym.Name);
                }
                case BinaryExpr b when b.Op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul:
                {
                    var l = BindDimExpr(b.Left, bag);
                    var r = BindDimExpr(b.Right, bag);
                    if (l == null || r == null) return null;
                    DimExpr result;
                    if (b.Op == BinaryOp.Add) result = l + r;
                    else if (b.Op == BinaryOp.Sub) result = l - r;
                    else if (l.IsConstant) result = r.Scale(l.Constant);
                    else if (r.IsConstant) result = l.Scale(r.Constant);
                    else
                    {
                        bag.Report(DiagnosticCatalog.InvalidDimension, e.Span, "A dimension can be multiplied by a whole number only, not by another dim");
                        return null;
                    }
                    // Every part stays within 1e9, as a literal must: then no product or sum of two parts leaves 64 bits.
                    if (Math.Abs(result.Constant) > MaxDimension || result.Terms.Any(t => Math.Abs(t.Value) > MaxDimension))
                    {
                        bag.Report(DiagnosticCatalog.InvalidDimension, e.Span, result.IsConstant
                            ? $"A dimension is at most 1e9 (1000000000), but this size is {result.Constant.ToString(CultureInfo.InvariantCulture)}"
                            : $"A dimension is at most 1e9 (1000000000), but this size is {result}, whose parts are larger");
                        return null;
                    }
                    return result;
                }
                default:
                {
                    var names = new List<string>();
                    SyntaxWalker.CollectNames(e, names);
                    foreach (var name in names) if (_symbols.TryGetValue(name, out var used)) used.Used = true;
                    string what = e switch
                    {
                        UnaryExpr { Op: UnaryOp.Negate } => "; a size is not negated (write 'a - b' between two sizes)",
                        BinaryExpr { Op: BinaryOp.Div } => "; '/' is not among them (a size divided need not be whole)",
                        _ => "",
                    };
                    bag.Report(DiagnosticCatalog.InvalidDimension, e.Span, "A dimension is made of dims, whole numbers, '+', '-' between two sizes and '*'" + what);
                    return null;
                }
            }
        }

        // ---------------------------------------------------------------- states, signals, nets

        private void BindStatesSignalsAndNets()
        {
            foreach (var m in _unit.Members)
            {
                switch (m)
                {
                    case InputDecl i when Owns(i.Name):
                    {
                        var type = i.Type != null ? BindType(i.Type) : IrType.Real;
                        _symbols[i.Name.Text].Type = type;
                        _symbols[i.Name.Text].TypeKnown = true;
                        _inputs.Add(new IrInput(i.Name.Text, type, Origin(i.Name.Span)));
                        break;
                    }
                    case StateDecl s when Owns(s.Name):
                        BindState(s.Name, SymbolKind.State, s.Type, s.Init, s.Range, false);
                        break;
                    case CoeffDecl c when Owns(c.Name):
                        BindState(c.Name, SymbolKind.Coeff, c.Type, c.Init, c.Range, c.LogSpace);
                        break;
                    case SignalDecl s when Owns(s.Name):
                        BindSignalOrAcc(s.Name, s.Type, s.Neutral, acc: false);
                        if (s.IsObjective) _objectives.Add(s.Name);
                        break;
                    case AccDecl a when Owns(a.Name):
                        BindSignalOrAcc(a.Name, a.Type, a.Neutral, acc: true);
                        break;
                    case NetDecl n when Owns(n.Name):
                        BindNet(n);
                        break;
                }
            }
        }

        private bool Owns(NameSyntax name) => !name.IsMissing && _symbols.TryGetValue(name.Text, out var s) && s.DeclSpan == name.Span;

        private void BindState(NameSyntax name, SymbolKind kind, TypeSyntax? typeSyntax, ExprSyntax? init, RangeSyntax? range, bool log)
        {
            var sym = _symbols[name.Text];
            IrExpr? initExpr = init != null ? BindConst(init, "The initial value of '" + name.Text + "'", differentiated: true) : null;
            var type = typeSyntax != null ? BindType(typeSyntax) : initExpr != null && !initExpr.Type.IsError ? Promote(initExpr.Type) : IrType.Real;
            if (initExpr != null && init != null) initExpr = Coerce(initExpr, type, init.Span, "the initial value of '" + name.Text + "'");
            sym.Type = type;
            sym.TypeKnown = true;
            IrRange? bounds = null;
            if (kind == SymbolKind.Coeff)
            {
                if (type.Scalar != ScalarType.Real && !type.IsError)
                    _bag.Report(DiagnosticCatalog.TypeMismatch, typeSyntax?.Span ?? name.Span, $"A coefficient is real, but '{name.Text}' is declared {type}");
                if (range == null) _bag.Report(DiagnosticCatalog.UnboundedCoefficient, name.Span, name.Text, "has no bounds");
            }
            if (range != null)
            {
                if (type.Scalar == ScalarType.Bool) _bag.Report(DiagnosticCatalog.TypeMismatch, range.Span, $"A bool cannot have a range; '{name.Text}' is {type}");
                bounds = BindRange(range, "The bounds of '" + name.Text + "'", differentiated: true);
                sym.Range = bounds;
            }
            _states.Add(new IrState(name.Text, kind, type, initExpr, bounds, log, Origin(name.Span)));
        }

        private static IrType Promote(IrType t) => t.Scalar == ScalarType.Int ? t.WithScalar(ScalarType.Real) : t;

        private void BindSignalOrAcc(NameSyntax name, TypeSyntax? typeSyntax, ExprSyntax? neutral, bool acc)
        {
            var sym = _symbols[name.Text];
            if (!acc && neutral != null && !IsConstantSyntax(neutral))
            {
                // A neutral that reads step values (e.g. 'signal d = u;') is bound where the defining rule stands.
                _deferredNeutrals[name.Text] = neutral;
                if (typeSyntax != null) { sym.Type = BindType(typeSyntax); sym.TypeKnown = true; }
                _signals.Add(new IrSignal(name.Text, sym.Type, null, Origin(name.Span)));
                return;
            }
            IrExpr? neutralExpr = neutral != null ? BindConst(neutral, "The neutral value of '" + name.Text + "'", differentiated: true) : null;
            IrType type;
            if (typeSyntax != null) { type = BindType(typeSyntax); sym.TypeKnown = true; }
            else if (acc && neutralExpr != null) { type = Promote(neutralExpr.Type); sym.TypeKnown = !type.IsError; }
            else { type = IrType.Real; sym.TypeKnown = false; } // a signal's type comes from its definition
            if (neutralExpr != null && neutral != null && sym.TypeKnown) neutralExpr = Coerce(neutralExpr, type, neutral.Span, "the neutral value of '" + name.Text + "'");
            sym.Type = type;
            if (acc)
            {
                if (type.Scalar == ScalarType.Bool) _bag.Report(DiagnosticCatalog.TypeMismatch, name.Span, $"Accumulator '{name.Text}' sums contributions, so it must be numeric");
                _accs.Add(new IrAcc(name.Text, type, neutralExpr ?? new IrConst(0, type, name.Span), Origin(name.Span)));
            }
            else
            {
                _signals.Add(new IrSignal(name.Text, type, neutralExpr, Origin(name.Span)));
            }
        }

        private readonly Dictionary<string, ExprSyntax> _deferredNeutrals = new(StringComparer.Ordinal);

        /// <summary>The declared objectives, checked once the rules have given every signal its type.</summary>
        private readonly List<NameSyntax> _objectives = new();

        /// <summary>An objective is a real number (per step and sample) of a cell.</summary>
        private void CheckObjectives()
        {
            foreach (var name in _objectives)
            {
                int i = _signals.FindIndex(x => x.Name == name.Text);
                if (i < 0) continue;
                var type = _signals[i].Type;
                if (_unit.Kind != UnitKind.Cell)
                    _bag.Report(DiagnosticCatalog.InvalidObjective, name.Span, $"'{name.Text}' is an objective of a law; objectives belong to cells (a law's meta-gradient uses its task's loss)");
                else if (!type.IsError && !type.Equals(IrType.Real))
                    _bag.Report(DiagnosticCatalog.InvalidObjective, name.Span, $"objective '{name.Text}' is {type}; an objective is a real number per step (write sum(...) or mean(...) over a vector)");
                _signals[i] = _signals[i] with { IsObjective = true };
            }
        }

        /// <summary>True when an expression reads only literals, dims, params and pure functions.</summary>
        private bool IsConstantSyntax(ExprSyntax e)
        {
            switch (e)
            {
                case NumberExpr: case BoolExpr: case MissingExpr: return true;
                case NameExpr n: return !n.IsNext && (n.Name.Text == "pi" || (_symbols.TryGetValue(n.Name.Text, out var s) && s.Kind is SymbolKind.Dim or SymbolKind.Param));
                case ParenExpr p: return IsConstantSyntax(p.Inner);
                case UnaryExpr u: return IsConstantSyntax(u.Operand);
                case BinaryExpr b: return IsConstantSyntax(b.Left) && IsConstantSyntax(b.Right);
                case ConditionalExpr c: return IsConstantSyntax(c.Condition) && IsConstantSyntax(c.WhenTrue) && IsConstantSyntax(c.WhenFalse);
                case CallExpr c: return Builtins.Pure.ContainsKey(c.Callee.Text) && !_symbols.ContainsKey(c.Callee.Text) && c.Args.All(IsConstantSyntax);
                default: return false;
            }
        }

        private void BindNet(NetDecl n)
        {
            var sym = _symbols[n.Name.Text];
            var kind = n.Kind.Text;
            if (kind != "mlp" && kind != "linear")
            {
                if (!n.Kind.IsMissing)
                    _bag.Report(DiagnosticCatalog.BadCall, n.Kind.Span, $"Unknown net kind '{kind}'; use mlp(in -> hidden... -> out, activation) or linear(in -> out)");
                return;
            }
            var widths = new List<DimExpr>();
            foreach (var w in n.Widths)
            {
                var d = BindDimExpr(w);
                if (d == null) return;
                if (d.IsConstant && d.Constant <= 0)
                {
                    _bag.Report(DiagnosticCatalog.InvalidDimension, w.Span, $"A layer width must be at least 1, but this one is {Int(d.Constant)}");
                    return;
                }
                widths.Add(d);
            }
            if (widths.Count < 2)
            {
                _bag.Report(DiagnosticCatalog.BadCall, n.Span, $"Net '{n.Name.Text}' needs at least an input and an output width: {kind}(in -> out)");
                return;
            }
            string? activation = null;
            if (kind == "linear")
            {
                if (widths.Count != 2) { _bag.Report(DiagnosticCatalog.BadCall, n.Span, $"A linear net has exactly one layer: linear(in -> out); use mlp for '{n.Name.Text}'"); return; }
                if (n.Activation != null) { _bag.Report(DiagnosticCatalog.BadCall, n.Activation.Span, "A linear net has no activation; apply the function to its output instead"); }
            }
            else
            {
                if (n.Activation == null)
                {
                    if (widths.Count > 2) { _bag.Report(DiagnosticCatalog.BadCall, n.Span, $"mlp '{n.Name.Text}' has hidden layers, so it needs an activation: mlp(... , tanh)"); return; }
                }
                else if (!Builtins.Activations.Contains(n.Activation.Text))
                {
                    _bag.Report(DiagnosticCatalog.BadCall, n.Activation.Span, $"Unknown activation '{n.Activation.Text}'; use one of {string.Join(", ", Builtins.Activations)}");
                    return;
                }
                activation = n.Activation?.Text;
                if (UnitSmooth && activation == "relu")
                    _bag.Report(DiagnosticCatalog.NonSmoothInSmooth, n.Activation!.Span, "relu", (_unit.Kind == UnitKind.Law ? "law " : "cell ") + _unit.Name.Text, "softplus");
            }
            int layerCount = widths.Count - 1;
            if (n.LayerNames.Count != 0 && n.LayerNames.Count != layerCount)
            {
                _bag.Report(DiagnosticCatalog.BadCall, n.LayerNames[0].Span.Cover(n.LayerNames[n.LayerNames.Count - 1].Span),
                    $"Net '{n.Name.Text}' has {layerCount} layer(s) but {n.LayerNames.Count} layer name(s) are given");
                return;
            }
            var layerNames = new Dictionary<string, NameSyntax>(StringComparer.Ordinal);
            foreach (var ln in n.LayerNames)
            {
                if (ln.IsMissing) continue;
                if (layerNames.TryGetValue(ln.Text, out var firstLayer))
                {
                    _bag.Report(DiagnosticCatalog.DuplicateName, ln.Span, ln.Text, "the name of a layer of net '" + n.Name.Text + "' at " + Where.At(_bag.File, firstLayer.Span.Start, Path) + " (the two layers' weights would share a name)", "rename one of them");
                    return;
                }
                layerNames[ln.Text] = ln;
            }
            var layers = new List<IrLayer>();
            for (int i = 0; i < layerCount; i++)
            {
                string prefix = kind == "linear" && n.LayerNames.Count == 0 ? n.Name.Text
                    : n.Name.Text + "." + (n.LayerNames.Count > 0 ? n.LayerNames[i].Text : (2 * i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                layers.Add(new IrLayer(prefix + ".weight", prefix + ".bias", widths[i], widths[i + 1]));
            }
            var net = new IrNet(n.Name.Text, kind, EqArray.From(layers), activation, Origin(n.Name.Span));
            sym.Net = net;
            sym.Type = IrType.Vector(ScalarType.Real, net.OutputWidth);
            sym.TypeKnown = true;
            _nets.Add(net);
        }

        // ---------------------------------------------------------------- requires

        private readonly List<(RequireDecl Syntax, IrExpr Condition)> _requireSyntax = new();

        private void BindRequires()
        {
            int index = 0;
            foreach (var m in _unit.Members)
            {
                if (m is not RequireDecl r) continue;
                index++;
                var cond = BindConst(r.Condition, "A 'require' condition");
                if (!cond.Type.IsError && (cond.Type.Scalar != ScalarType.Bool || !cond.Type.IsScalar))
                    _bag.Report(DiagnosticCatalog.TypeMismatch, r.Condition.Span, $"A 'require' condition must be a scalar bool, but this is {cond.Type}");
                var label = r.Label?.Text ?? "require#" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                _requires.Add(new IrRequire(label, cond, Origin(r.Condition.Span)));
                _requireSyntax.Add((r, cond));
            }
        }

        private void CheckRequires()
        {
            foreach (var (syntax, cond) in _requireSyntax)
            {
                if (cond.Type.IsError || cond.Type.Scalar != ScalarType.Bool) continue;
                var value = ConstEvaluator.Evaluate(cond, _symbols);
                if (value is double v && v == 0)
                {
                    var text = _bag.File.Text.Substring(syntax.Condition.Span.Start, syntax.Condition.Span.Length);
                    var names = new List<string>();
                    SyntaxWalker.CollectNames(syntax.Condition, names);
                    var values = string.Join(", ", names.Distinct(StringComparer.Ordinal)
                        .Where(n => _symbols.TryGetValue(n, out var s) && (s.ConstValue != null || s.DimValue is { IsConstant: true }))
                        .Select(n => n + " = " + (_symbols[n].ConstValue is double cv ? Fmt(cv) : _symbols[n].DimValue!.Constant.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                    _bag.Report(DiagnosticCatalog.RequireFails, syntax.Condition.Span, (syntax.Label?.Text ?? text), values.Length > 0 ? values : text);
                }
            }
        }

        // ---------------------------------------------------------------- coefficients (A4)

        private void CheckCoefficients()
        {
            Dictionary<string, Passes.Interval>? paramIntervals = null;
            foreach (var st in _states)
            {
                if (st.Bounds == null) continue;
                var lo = ConstEvaluator.Evaluate(st.Bounds.Lo, _symbols);
                var hi = ConstEvaluator.Evaluate(st.Bounds.Hi, _symbols);
                // A NaN end (0 / 0) bounds nothing: no value lies between it and the other.
                if (lo is double l && hi is double h && (l > h || (l == h && (st.Bounds.LoOpen || st.Bounds.HiOpen)) || double.IsNaN(l) || double.IsNaN(h)))
                    _bag.Report(DiagnosticCatalog.EmptyBounds, st.Bounds.Lo.Span.Cover(st.Bounds.Hi.Span), st.Name,
                        (st.Bounds.LoOpen ? "(" : "[") + IrPrinter.Expr(st.Bounds.Lo) + ", " + IrPrinter.Expr(st.Bounds.Hi) + (st.Bounds.HiOpen ? ")" : "]"), Fmt(l), Fmt(h));
                else if (st.Kind == SymbolKind.Coeff && lo is double li && hi is double hi2 && (double.IsInfinity(li) || double.IsInfinity(hi2)))
                    _bag.Report(DiagnosticCatalog.UnboundedCoefficient, double.IsInfinity(li) ? st.Bounds.Lo.Span : st.Bounds.Hi.Span, st.Name,
                        $"has an infinite {(double.IsInfinity(li) && double.IsInfinity(hi2) ? "lower and upper" : double.IsInfinity(li) ? "lower" : "upper")} bound: {RangeText(st.Bounds, li, hi2)}");
                else if (lo is double l2 && hi is double h2 && st.Init != null && ConstEvaluator.Evaluate(st.Init, _symbols) is double init
                         && ((st.Bounds.LoOpen ? init <= l2 : init < l2) | (st.Bounds.HiOpen ? init >= h2 : init > h2) | double.IsNaN(init)))
                    _bag.Report(DiagnosticCatalog.TypeMismatch, st.Init.Span, $"The initial value {Fmt(init)} of '{st.Name}' lies outside its bounds {RangeText(st.Bounds, l2, h2)}");
                if (st.LogSpace)
                {
                    paramIntervals ??= Passes.Interval.ParamIntervals(_params);
                    var interval = Passes.Interval.Of(st.Bounds.Lo, paramIntervals);
                    bool positive = interval.IsPositive || (st.Bounds.LoOpen && interval.IsNonNegative);
                    if (!positive)
                    {
                        var loText = _bag.File.Text.Substring(st.Bounds.Lo.Span.Start, st.Bounds.Lo.Span.Length);
                        var shown = lo is double lv && loText != Fmt(lv) ? $"{loText} = {Fmt(lv)}" : loText;
                        if (lo is double lv2 && lv2 > 0)
                            shown += $" (not provably > 0: an override could make it 0; declare its range, e.g. 'param {loText} in (0, 1] = {Fmt(lv2)}')";
                        _bag.Report(DiagnosticCatalog.LogBoundAllowsZero, st.Bounds.Lo.Span, st.Name, shown);
                    }
                }
            }
        }
    }
}
