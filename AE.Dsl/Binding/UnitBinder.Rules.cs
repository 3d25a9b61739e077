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
    internal sealed partial class UnitBinder
    {
        private const int MaxGroupNesting = 32;

        /// <summary>
        /// A rule to bind: its syntax, the file it is written in, the group it came from, and the unit's own
        /// <c>use</c> that brought it in (null for a rule written in the unit).
        /// </summary>
        private sealed record RuleSource(RuleDecl Syntax, DiagnosticBag Bag, string? Group, UseDecl? Use = null);

        /// <summary>The context an expression is bound in.</summary>
        private sealed class Ctx
        {
            public DiagnosticBag Bag = null!;
            /// <summary>Non-null in a constant context: what must be constant, for messages.</summary>
            public string? ConstWhat;
            public string RuleId = "";
            public int RuleIndex;
            public bool Smooth;
            public string SmoothWhat = "";
            public string? Defining;
            public string SlotPrefix = "";
            public bool InWhen;
            public bool Ablatable;
        }

        private readonly Dictionary<string, int> _slotCounters = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (DiagnosticBag Bag, TextSpan Span)> _expandedGroups = new(StringComparer.Ordinal);
        /// <summary>Values whose definition was rejected: reading them is a consequence, not another error.</summary>
        private readonly HashSet<string> _rejectedDefinitions = new(StringComparer.Ordinal);
        /// <summary>Values read before their definition (AE0012): not also 'unused'.</summary>
        private readonly HashSet<string> _readEarly = new(StringComparer.Ordinal);
        /// <summary>Rules in which an error was reported: not also 'without effect'.</summary>
        private readonly HashSet<string> _rulesWithErrors = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Definition> _definitions = new(StringComparer.Ordinal);
        private readonly HashSet<string> _definedSoFar = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (string Path, TextSpan Span, UseDecl? Use)> _ruleIds = new(StringComparer.Ordinal);
        private int _order;
        /// <summary>
        /// A 'use' named a group that is not there (AE0016): its rules may read the unit's declarations and define its
        /// signals, so "never used" and "never defined" would send the reader to remove or define what the group holds.
        /// Where AE0016 suggests a group, these are the names that group's rules (and the groups it uses) write or read.
        /// </summary>
        private readonly HashSet<string> _namesOfSuggestedGroups = new(StringComparer.Ordinal);
        /// <summary>A 'use' named a group like no other: any name may be the missing group's.</summary>
        private bool _unknownGroupUnguessed;

        /// <summary>Whether a missing group (AE0016) may be what reads or defines <paramref name="name"/>.</summary>
        private bool MayBeAMissingGroups(string name) => _unknownGroupUnguessed || _namesOfSuggestedGroups.Contains(name);

        private void BindRules()
        {
            var sources = new List<RuleSource>();
            foreach (var m in _unit.Members)
            {
                if (m is RuleDecl r) sources.Add(new RuleSource(r, _bag, null));
                else if (m is UseDecl u) ExpandGroup(u, _bag, sources, new List<string>(), u);
            }

            // First pass: where every value is defined, so a too-early use can name its definition.
            for (int i = 0; i < sources.Count; i++)
            {
                var rs = sources[i];
                bool ablatable = IsAblatable(rs.Syntax);
                foreach (var s in rs.Syntax.Body)
                    if (s is AssignStmt { IsNext: false, Op: AssignOp.Define } a && !a.Target.IsMissing && !_definitions.ContainsKey(a.Target.Text))
                        _definitions[a.Target.Text] = new Definition(rs.Syntax.Id.Text, i, ablatable, _order++, a.Target.Span, rs.Bag.File.Path);
            }

            for (int i = 0; i < sources.Count; i++) BindRule(sources[i], i);

            // A rule that did not parse may have held the definition: its syntax error says what is wrong, and a signal
            // "never defined" beside it would send the reader after a second fault that is not there.
            bool ruleUnread = sources.Any(r => r.Syntax.HasSyntaxErrors);
            foreach (var sig in _signals)
            {
                var sym = _symbols[sig.Name];
                if (sym.Definition == null && !sym.HasNeutral)
                {
                    // A definition refused where it stands (inside a 'when', of a reserved name) has its own error.
                    if (!ruleUnread && !_rejectedDefinitions.Contains(sig.Name) && !MayBeAMissingGroups(sig.Name)) ReportNeverDefined(sig.Name, sym.DeclSpan);
                }
                else if (sym.Definition == null && _deferredNeutrals.TryGetValue(sig.Name, out var neutral))
                    BindConst(neutral, "The neutral value of signal '" + sig.Name + "' (no rule defines it, so it is its value at every step)", differentiated: true);
            }
        }

        /// <summary>Every name the rules of <paramref name="group"/> and of the groups it uses write or read (callees included: nets, filters).</summary>
        private void NamesOfGroup(string group, HashSet<string> into, HashSet<string> seen)
        {
            if (!seen.Add(group) || !_groups.Groups.TryGetValue(group, out var g)) return;
            foreach (var member in g.Syntax.Members)
            {
                if (member is UseDecl u) NamesOfGroup(u.Group.Text, into, seen);
                else if (member is RuleDecl r) NamesIn(r.Body, into);
            }
        }

        private static void NamesIn(IReadOnlyList<StmtSyntax> body, HashSet<string> into)
        {
            foreach (var s in body)
            {
                switch (s)
                {
                    case AssignStmt a:
                        into.Add(a.Target.Text);
                        SyntaxWalker.CollectNames(a.Value, into, callees: true);
                        break;
                    case WhenStmt w:
                        SyntaxWalker.CollectNames(w.Condition, into, callees: true);
                        NamesIn(w.Then, into);
                        if (w.Else != null) NamesIn(w.Else, into);
                        break;
                }
            }
        }

        /// <summary>How AE0042 suggests declaring <paramref name="name"/> with a neutral value: an objective stays one.</summary>
        private string NeutralDeclaration(string name)
            => _objectives.Any(o => o.Text == name) ? "objective " + name + ": real = 0;" : "signal " + name + " = 0;";

        /// <summary>AE0017: an objective is what training minimises, so it is defined, never given a neutral value.</summary>
        private void ReportNeverDefined(string name, TextSpan at)
        {
            if (_objectives.Any(o => o.Text == name))
                _bag.Report(DiagnosticCatalog.SignalNeverDefined, at, "Objective", name, $"; define it in a rule of the cell ('{name} = mean((y - target) ^ 2);'): it is the loss training minimises");
            else
                _bag.Report(DiagnosticCatalog.SignalNeverDefined, at, "Signal", name, $" and it has no neutral value; define it in a rule ('{name} = ...;') or give it a value ('signal {name} = 0;')");
        }

        /// <param name="unitUse">the unit's own 'use' that this expansion comes from (itself, or one enclosing it)</param>
        private void ExpandGroup(UseDecl use, DiagnosticBag bag, List<RuleSource> into, List<string> stack, UseDecl unitUse)
        {
            if (use.Group.IsMissing) return;
            var name = use.Group.Text;
            if (!_groups.Groups.TryGetValue(name, out var group))
            {
                var suggestion = NameSuggestions.Closest(name, _groups.Groups.Keys);
                bag.Report(DiagnosticCatalog.UnknownGroup, use.Group.Span, name, suggestion != null ? $"; did you mean '{suggestion}'?" : "");
                if (suggestion != null)
                {
                    // The group the misspelt name means is used, once mended: AE0016's suggestion says so, AE0044 would not.
                    _groups.Used.Add(suggestion);
                    NamesOfGroup(suggestion, _namesOfSuggestedGroups, new HashSet<string>(StringComparer.Ordinal));
                }
                else _unknownGroupUnguessed = true;
                return;
            }
            _groups.Used.Add(name);
            if (stack.Contains(name))
            {
                var path = string.Join(" -> ", stack.Skip(stack.IndexOf(name)).Concat(new[] { name }).Select(n => "group '" + n + "'"));
                bag.Report(DiagnosticCatalog.CyclicDefinition, use.Group.Span, path, DiagnosticCatalog.GroupCycleAdvice);
                return;
            }
            if (_expandedGroups.TryGetValue(name, out var firstUse))
            {
                var firstRule = group.Syntax.Members.OfType<RuleDecl>().FirstOrDefault();
                bag.Report(DiagnosticCatalog.DuplicateRuleId, use.Group.Span, firstRule?.Id.Text ?? name,
                    Where.At(firstUse.Bag.File, firstUse.Span.Start, bag.File.Path) + " by the first 'use " + name + "' (a group's rules run once per " + UnitWord + ")", UnitWord);
                return;
            }
            _expandedGroups[name] = (bag, use.Group.Span);
            if (stack.Count >= MaxGroupNesting)
            {
                // A chain that only looks deep may be a cycle longer than the limit: that is the error to name.
                if (CycleThrough(name, stack) is { } cycle)
                {
                    bag.Report(DiagnosticCatalog.CyclicDefinition, use.Group.Span, string.Join(" -> ", cycle.Select(n => "group '" + n + "'")), DiagnosticCatalog.GroupCycleAdvice);
                    MarkReachableUsed(name);
                    return;
                }
                bag.Report(DiagnosticCatalog.NestingTooDeep, use.Group.Span, "Group", MaxGroupNesting, "flatten the chain of 'use' (a group can use several groups side by side)");
                MarkReachableUsed(name);
                return;
            }
            stack.Add(name);
            foreach (var m in group.Syntax.Members)
            {
                if (m is RuleDecl r) into.Add(new RuleSource(r, group.Bag, name, unitUse));
                else if (m is UseDecl u) ExpandGroup(u, group.Bag, into, stack, unitUse);
            }
            stack.RemoveAt(stack.Count - 1);
        }

        /// <summary>
        /// A cycle of 'use' reached from <paramref name="start"/>, which <paramref name="stack"/> (the groups expanding it)
        /// leads to: the groups in order, the first repeated at the end; null when there is none. Walked with a stack of
        /// its own, not by recursion, so a chain of any length is safe.
        /// </summary>
        private List<string>? CycleThrough(string start, List<string> stack)
        {
            var path = new List<string>(stack) { start };
            var onPath = new HashSet<string>(path, StringComparer.Ordinal);
            var done = new HashSet<string>(StringComparer.Ordinal);
            var next = new Stack<IEnumerator<string>>();
            next.Push(UsesOf(start).GetEnumerator());
            while (next.Count > 0)
            {
                var uses = next.Peek();
                if (!uses.MoveNext())
                {
                    next.Pop();
                    string finished = path[path.Count - 1];
                    path.RemoveAt(path.Count - 1);
                    onPath.Remove(finished);
                    done.Add(finished);
                    continue;
                }
                string g = uses.Current;
                if (onPath.Contains(g)) return path.Skip(path.IndexOf(g)).Concat(new[] { g }).ToList();
                if (done.Contains(g) || !_groups.Groups.ContainsKey(g)) continue;
                path.Add(g);
                onPath.Add(g);
                next.Push(UsesOf(g).GetEnumerator());
            }
            return null;
        }

        private IEnumerable<string> UsesOf(string group) =>
            _groups.Groups.TryGetValue(group, out var g)
                ? g.Syntax.Members.OfType<UseDecl>().Where(u => !u.Group.IsMissing).Select(u => u.Group.Text)
                : Enumerable.Empty<string>();

        /// <summary>Groups reachable past the nesting limit are used, though not expanded: no AE0044 for them.</summary>
        private void MarkReachableUsed(string start)
        {
            var queue = new Queue<string>();
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                var g = queue.Dequeue();
                if (!_groups.Groups.TryGetValue(g, out var group)) continue;
                _groups.Used.Add(g);
                foreach (var m in group.Syntax.Members)
                    if (m is UseDecl u && !u.Group.IsMissing && !_groups.Used.Contains(u.Group.Text)) queue.Enqueue(u.Group.Text);
            }
        }

        private void BindRule(RuleSource rs, int index)
        {
            if (rs.Group is null || rs.Use is null)
            {
                BindRuleBody(rs, index);
                return;
            }
            // A group's rule: what goes wrong in it goes wrong for this unit, which the message names with its 'use'.
            string context = " (in " + (_unit.Kind == UnitKind.Cell ? "cell" : "law") + " '" + _unit.Name.Text + "', through its 'use " + rs.Use.Group.Text + "' at "
                + Where.At(_bag.File, rs.Use.Group.Span.Start, rs.Bag.File.Path) + ")";
            if (!rs.Syntax.Id.IsMissing) _groupRuleContext[rs.Syntax.Id.Text] = (context, rs.Syntax.Span);
            rs.Bag.WithContext(context, rs.Syntax.Span, () => BindRuleBody(rs, index));
        }

        /// <summary>For each group rule bound for this unit, by its id: what its diagnostics append (<see cref="DiagnosticBag.WithContext"/>) and its text.</summary>
        private readonly Dictionary<string, (string Context, TextSpan Span)> _groupRuleContext = new(StringComparer.Ordinal);

        /// <summary>Runs <paramref name="report"/> with the unit's context on the diagnostics inside the group rule <paramref name="ruleId"/>; as it is for any other rule.</summary>
        private void InGroupRule(DiagnosticBag bag, string ruleId, Action report)
        {
            if (_groupRuleContext.TryGetValue(ruleId, out var c)) bag.WithContext(c.Context, c.Span, report);
            else report();
        }

        private void BindRuleBody(RuleSource rs, int index)
        {
            var r = rs.Syntax;
            var id = r.Id.Text;
            if (!r.Id.IsMissing)
            {
                if (_ruleIds.TryGetValue(id, out var first))
                {
                    var file = _groups.BagFor(first.Path)?.File ?? rs.Bag.File;
                    if (rs.Use != null && !ReferenceEquals(rs.Use, first.Use))
                    {
                        // A group's rule meets a rule of this unit (or of another 'use'): the clash is made by this
                        // unit's 'use', so it is reported there, in the unit, naming where the group's rule is.
                        var use = rs.Use;
                        var from = rs.Group != null && rs.Group != use.Group.Text ? " (from group '" + rs.Group + "')" : "";
                        _bag.Report(DiagnosticCatalog.DuplicateRuleId, use.Group.Span, id,
                            Where.At(file, first.Span.Start, Path) + "; 'use " + use.Group.Text + "' brings in another rule " + id + from
                            + " at " + Where.At(rs.Bag.File, r.Id.Span.Start, Path), UnitWord);
                    }
                    else rs.Bag.Report(DiagnosticCatalog.DuplicateRuleId, r.Id.Span, id, Where.At(file, first.Span.Start, rs.Bag.File.Path), UnitWord);
                }
                else _ruleIds[id] = (rs.Bag.File.Path, r.Id.Span, rs.Use);
            }
            bool smooth = r.IsSmooth || UnitSmooth;
            var ctx = new Ctx
            {
                Bag = rs.Bag,
                RuleId = id,
                RuleIndex = index,
                Ablatable = IsAblatable(r),
                Smooth = smooth,
                SmoothWhat = r.IsSmooth ? (r.IsUpdate ? "the update rule" : "rule " + id) : (_unit.Kind == UnitKind.Law ? "law " : "cell ") + _unit.Name.Text,
            };
            int errorsBefore = rs.Bag.ErrorCount;
            var body = BindStatements(r.Body, ctx);
            if (rs.Bag.ErrorCount > errorsBefore) _rulesWithErrors.Add(id);
            bool ablatable = IsAblatable(r);
            _rules.Add(new IrRule(id, r.Title, ablatable, r.IsUpdate, smooth, rs.Group, EqArray.From(body), new IrOrigin(rs.Bag.File.Path, r.Id.Span)));
        }

        /// <summary>
        /// A rule can be switched off unless it is the update or fixed. One whose id did not parse cannot be named to
        /// switch it off: its syntax error is the fault, and ablation holes of a rule called "" would be noise.
        /// </summary>
        private static bool IsAblatable(RuleDecl r) => !r.IsUpdate && !r.IsFixed && !r.Id.IsMissing;

        private List<IrStmt> BindStatements(IReadOnlyList<StmtSyntax> stmts, Ctx ctx)
        {
            var result = new List<IrStmt>();
            foreach (var s in stmts)
            {
                var bound = BindStatement(s, ctx);
                if (bound != null) result.Add(bound);
            }
            return result;
        }

        private IrStmt? BindStatement(StmtSyntax s, Ctx ctx)
        {
            switch (s)
            {
                case WhenStmt w:
                {
                    if (ctx.Smooth)
                        ctx.Bag.Report(DiagnosticCatalog.NonSmoothInSmooth, new TextSpan(w.Span.Start, w.Span.Start + 4), "when", ctx.SmoothWhat,
                            "an unconditional update blended by a weight, e.g. x' = lerp(x', y, sigmoid(k*margin))");
                    var cond = BindExpr(w.Condition, WithPrefix(ctx, ctx.RuleId));
                    RequireScalarBool(cond, w.Condition.Span, "A 'when' condition", ctx);
                    bool saved = ctx.InWhen;
                    ctx.InWhen = true;
                    var then = BindStatements(w.Then, ctx);
                    var otherwise = w.Else != null ? BindStatements(w.Else, ctx) : new List<IrStmt>();
                    ctx.InWhen = saved;
                    return new IrWhen(cond, EqArray.From(then), EqArray.From(otherwise), w.Span);
                }
                case AssignStmt a:
                    return BindAssign(a, ctx);
                default:
                    return null;
            }
        }

        private Ctx WithPrefix(Ctx ctx, string prefix)
        {
            ctx.SlotPrefix = prefix;
            return ctx;
        }

        private IrStmt? BindAssign(AssignStmt a, Ctx ctx)
        {
            if (a.Target.IsMissing) return null;
            var name = a.Target.Text;
            _symbols.TryGetValue(name, out var sym);

            if (a.IsNext || a.Op == AssignOp.Accumulate)
            {
                var value = BindExpr(a.Value, WithPrefix(ctx, name));
                if (sym == null)
                {
                    ReportUnknown(a.Target, ctx.Bag);
                    return null;
                }
                if (a.IsNext && a.Op == AssignOp.Accumulate)
                {
                    ctx.Bag.Report(DiagnosticCatalog.InvalidAssignment, a.Target.Span, $"'+=' adds to an accumulator; to change the next value of '{name}' write {name}' = {name}' + ...;");
                    return null;
                }
                if (a.IsNext)
                {
                    if (sym.Kind is not (SymbolKind.State or SymbolKind.Coeff))
                    {
                        ctx.Bag.Report(DiagnosticCatalog.InvalidAssignment, a.Target.Span, NotAssignableMessage(sym, next: true));
                        return null;
                    }
                    CheckAssignable(value, sym.Type, a.Value.Span, $"the next value of {sym.KindText} '{name}'", ctx);
                    return new IrSetNext(name, sym.Kind, value, a.Span);
                }
                if (sym.Kind != SymbolKind.Acc)
                {
                    ctx.Bag.Report(DiagnosticCatalog.InvalidAssignment, a.Target.Span, NotAssignableMessage(sym, next: false, accumulate: true));
                    return null;
                }
                CheckAssignable(value, sym.Type, a.Value.Span, $"a contribution to accumulator '{name}'", ctx);
                return new IrAccumulate(name, value, a.Span);
            }

            // A definition: 'name = value;'
            if (sym != null && sym.Kind != SymbolKind.Signal && sym.Kind != SymbolKind.Local)
            {
                ctx.Bag.Report(DiagnosticCatalog.InvalidAssignment, a.Target.Span, NotAssignableMessage(sym, next: false));
                BindExpr(a.Value, WithPrefix(ctx, name));
                return null;
            }
            if (Reserved.Contains(name))
            {
                ctx.Bag.Report(DiagnosticCatalog.DuplicateName, a.Target.Span, name, "a built-in value (" + (name == "step" ? "the step counter" : "the constant pi") + ")", "choose another name (a built-in cannot be renamed)");
                _rejectedDefinitions.Add(name);
                BindExpr(a.Value, WithPrefix(ctx, name));
                return null;
            }
            if (ctx.InWhen)
            {
                _rejectedDefinitions.Add(name);
                ctx.Bag.Report(DiagnosticCatalog.InvalidAssignment, a.Target.Span,
                    $"'{name}' would be undefined when the 'when' condition is false; define it before the 'when' (for example with a conditional expression 'c ? a : b'), and refine only next values (x') and accumulators (+=) inside 'when'");
                BindExpr(a.Value, WithPrefix(ctx, name));
                return null;
            }
            if (_definedSoFar.Contains(name))
            {
                var def = sym?.Definition;
                if (def != null)
                {
                    var file = _groups.BagFor(def.Path)?.File ?? ctx.Bag.File;
                    ctx.Bag.Report(DiagnosticCatalog.DuplicateName, a.Target.Span, name, "defined at " + Where.At(file, def.Span.Start, ctx.Bag.File.Path), "rename one of them");
                }
                BindExpr(a.Value, WithPrefix(ctx, name));
                return null;
            }

            var saved = ctx.Defining;
            ctx.Defining = name;
            var bound = BindExpr(a.Value, WithPrefix(ctx, name));
            ctx.Defining = saved;

            bool ablatable = ctx.Ablatable;
            var definition = new Definition(ctx.RuleId, ctx.RuleIndex, ablatable, _order++, a.Target.Span, ctx.Bag.File.Path);
            _definedSoFar.Add(name);
            if (sym == null)
            {
                sym = new Symbol(name, SymbolKind.Local, a.Target.Span, ctx.Bag.File.Path) { Type = bound.Type, TypeKnown = true, Definition = definition };
                _symbols[name] = sym;
                _locals.Add(new IrLocal(name, bound.Type, ctx.RuleId, new IrOrigin(ctx.Bag.File.Path, a.Target.Span)));
                return new IrDefine(name, SymbolKind.Local, bound, a.Span);
            }

            // A declared signal gets its definition (and, if it was not written, its type) here.
            sym.Definition = definition;
            if (sym.TypeKnown) CheckAssignable(bound, sym.Type, a.Value.Span, $"{(_objectives.Any(o => o.Text == name) ? "objective" : "signal")} '{name}'", ctx);
            else
            {
                sym.Type = bound.Type.Scalar == ScalarType.Int ? bound.Type.WithScalar(ScalarType.Real) : bound.Type;
                sym.TypeKnown = true;
                int i = _signals.FindIndex(x => x.Name == name);
                if (i >= 0) _signals[i] = _signals[i] with { Type = sym.Type };
            }
            if (_deferredNeutrals.TryGetValue(name, out var neutralSyntax))
            {
                var neutral = BindExpr(neutralSyntax, WithPrefix(ctx, name + ".neutral"));
                CheckAssignable(neutral, sym.Type, neutralSyntax.Span, $"the neutral value of signal '{name}'", ctx);
                int j = _signals.FindIndex(x => x.Name == name);
                if (j >= 0) _signals[j] = _signals[j] with { Neutral = neutral };
            }
            if (ablatable && !sym.HasNeutral)
                ctx.Bag.Report(DiagnosticCatalog.AblationHole, a.Target.Span, ctx.RuleId, name, "for the host, which reads every signal after each step", NeutralDeclaration(name));
            return new IrDefine(name, SymbolKind.Signal, bound, a.Span);
        }

        private static string NotAssignableMessage(Symbol sym, bool next, bool accumulate = false)
        {
            var n = sym.Name;
            return sym.Kind switch
            {
                SymbolKind.Param => $"'{n}' is a param: constant during a run, set at construction; it cannot be assigned",
                SymbolKind.Dim => $"'{n}' is a dim: fixed at construction; it cannot be assigned",
                SymbolKind.Input => $"'{n}' is an input: the host gives it each step; it cannot be assigned (define a new name instead)",
                SymbolKind.Net => $"'{n}' is a net; it cannot be assigned",
                SymbolKind.State or SymbolKind.Coeff when accumulate => $"'{n}' is {(sym.Kind == SymbolKind.State ? "a" : "a")} {sym.KindText}: write {n}' = {n}' + ...; to change its next value",
                SymbolKind.State or SymbolKind.Coeff => $"'{n}' is a {sym.KindText}: its value at this step is fixed; write {n}' = ...; to set its next value",
                SymbolKind.Acc => $"'{n}' is an accumulator: add to it with {n} += ...;",
                SymbolKind.Signal when next => $"'{n}' is a signal and has no next value; define it with {n} = ...;",
                SymbolKind.Signal when accumulate => $"'{n}' is a signal, not an accumulator; declare it with 'acc {n} = 0;' to sum contributions",
                SymbolKind.Local when next => $"'{n}' is a value defined in a rule and has no next value; only state and coefficients do",
                SymbolKind.Local when accumulate => $"'{n}' is a value defined in a rule, not an accumulator; declare 'acc {n} = 0;' to sum contributions",
                _ => $"'{n}' cannot be assigned",
            };
        }

        private void CheckAssignable(IrExpr value, IrType target, TextSpan span, string what, Ctx ctx)
        {
            if (value.Type.IsError || target.IsError) return;
            if ((target.Scalar == ScalarType.Bool) != (value.Type.Scalar == ScalarType.Bool))
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, span, $"{Cap(what)} must be {target}, but this is {value.Type}");
                return;
            }
            if (target.Scalar == ScalarType.Int && value.Type.Scalar == ScalarType.Real && !(value is IrConst c && c.Value == Math.Floor(c.Value)))
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, span, $"{Cap(what)} must be int, but this is real");
                return;
            }
            // An int is a 64-bit integer in every backend and a float64 in the interpreter: both hold it exactly up to 2^53.
            if (target.Scalar == ScalarType.Int && value is IrConst big && Math.Abs(big.Value) > Scalar.MaxExactInt)
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, span, $"{Cap(what)} must be an int within ±2^53 ({Scalar.MaxExactInt.ToString(System.Globalization.CultureInfo.InvariantCulture)}), but this is {UnitBinder.Fmt(big.Value)}");
                return;
            }
            // 2^53 + 1 written out reads as 2^53, inside the range: the literal's digits say what was meant.
            if (target.Scalar == ScalarType.Int && value is IrConst edge && Math.Abs(edge.Value) == Scalar.MaxExactInt
                && WrittenNumber(ctx.Bag.File.Text, edge.Span) is string written && !Scalar.IsExactInt(edge.Value, written))
            {
                ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, span, $"{Cap(what)} must be an int within ±2^53 ({Scalar.MaxExactInt.ToString(System.Globalization.CultureInfo.InvariantCulture)}), but this is {written}, which a 64-bit float rounds to {UnitBinder.Fmt(edge.Value)}");
                return;
            }
            if (!value.Type.IsScalar && !value.Type.Shape.Equals(target.Shape))
                ctx.Bag.Report(DiagnosticCatalog.ShapeMismatch, span, $"{Cap(what)} must have shape {target}, but this value is {value.Type}");
        }

        /// <summary>
        /// The number a constant's text writes, whatever the spelling (<c>9007199254740993</c>, <c>9.007199254740993e15</c>,
        /// <c>-(9007199254740993.0)</c>, comments and spaces between), as text <see cref="decimal"/> reads exactly; null when it is not one number.
        /// </summary>
        private static string? WrittenNumber(string text, TextSpan span)
        {
            var literal = System.Text.RegularExpressions.Regex.Replace(text.Substring(span.Start, span.Length), @"/\*.*?\*/|//[^\n]*|[\s()]", "", System.Text.RegularExpressions.RegexOptions.Singleline);
            return decimal.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value.ToString(CultureInfo.InvariantCulture) : null;
        }

        private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

        private void RequireScalarBool(IrExpr e, TextSpan span, string what, Ctx ctx)
        {
            if (e.Type.IsError) return;
            if (e.Type.Scalar != ScalarType.Bool) ctx.Bag.Report(DiagnosticCatalog.TypeMismatch, span, $"{what} must be bool, but this is {e.Type}; compare it, e.g. x > 0");
            else if (!e.Type.IsScalar) ctx.Bag.Report(DiagnosticCatalog.ShapeMismatch, span, $"{what} must be a scalar bool, but this is {e.Type}; reduce it first or use an elementwise 'c ? a : b'");
        }

        private IrExpr Coerce(IrExpr value, IrType target, TextSpan span, string what)
        {
            CheckAssignable(value, target, span, what, new Ctx { Bag = _bag });
            return value;
        }

        private string NextSlot(Ctx ctx, string kind)
        {
            var key = ctx.SlotPrefix + "." + kind;
            _slotCounters.TryGetValue(key, out var n);
            _slotCounters[key] = ++n;
            return n == 1 ? key : key + n.ToString(CultureInfo.InvariantCulture);
        }
    }
}
