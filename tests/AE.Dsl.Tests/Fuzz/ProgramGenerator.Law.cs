using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace AE.Dsl.Tests.Fuzz
{
    internal sealed partial class ProgramGenerator
    {
        private enum K { Real, Int, Bool }

        /// <summary>A type: scalar kind and, for a vector, the name of its dim.</summary>
        private sealed record Ty(K Kind, string? Dim)
        {
            public bool IsVector => Dim != null;
            public static readonly Ty Real = new(K.Real, null);
            public static readonly Ty Int = new(K.Int, null);
            public static readonly Ty Bool = new(K.Bool, null);
            public Ty Scalar => this with { Dim = null };
        }

        private enum SK { Dim, Param, Input, State, Coeff, Signal, Acc, Local }

        private sealed class Sym
        {
            public string Name = "";
            public SK Kind;
            public Ty Type = Ty.Real;
            public bool Used;
            /// <summary>A param declared in [0, 1): a filter rate.</summary>
            public bool Beta;
            /// <summary>An int param declared in [1, ...]: a divisor for '%'.</summary>
            public bool PositiveInt;
            /// <summary>A state without initial value that is a vector: the host's.</summary>
            public bool Host;
            // signals
            public bool HasNeutral;
            public bool WillDefine;
            public bool Defined;
            // locals
            public string Rule = "";
            public bool RuleAblatable;
            public bool RuleSmooth;
        }

        private sealed class RuleInfo
        {
            public string Id = "";
            public bool Ablatable;
            public bool Smooth;
            public bool HadEffect;
            public List<Sym> Locals = new();
        }

        /// <summary>Where an expression is generated.</summary>
        private sealed class Ctx
        {
            public RuleInfo Rule = null!;
            public bool Smooth;
            /// <summary>Inside a vector statement or a reduction's arguments: evaluated per element.</summary>
            public bool Vector;
            public bool InReduction;
            /// <summary>The value of a vector state's next value or of a vector signal: written by the final pass.</summary>
            public bool Output;
            public string? Defining;
            public Ctx With(bool? vector = null, bool? inReduction = null, bool? output = null) => new()
            {
                Rule = Rule, Smooth = Smooth, Defining = Defining,
                Vector = vector ?? Vector, InReduction = inReduction ?? InReduction, Output = output ?? Output,
            };
        }

        /// <summary>One law or cell, its groups and its variants.</summary>
        private sealed partial class LawGen
        {
            private readonly ProgramGenerator _g;
            private readonly List<Sym> _syms = new();
            private readonly HashSet<string> _names = new(StringComparer.Ordinal);
            private readonly HashSet<string> _ruleIds = new(StringComparer.Ordinal);
            private readonly List<string> _decls = new();
            private readonly List<string> _members = new();
            private readonly List<string> _switchable = new();
            private readonly List<string> _dims = new();
            private string _name = "";
            private bool _cell;
            private bool _smooth;
            private bool _optimizer;
            /// <summary>A reduction's arguments draw or update a filter: no lagged variant (AE0046).</summary>
            private bool _lagUnsafe;
            /// <summary>A reduction's argument reads a scalar next value or accumulator, which later statements may refine.</summary>
            private bool _lagReadsRefinable;
            /// <summary>A noise(n) was generated (program order is generation order).</summary>
            private bool _vectorDrawn;
            private int _counter;

            public LawGen(ProgramGenerator g) { _g = g; }

            private bool Chance(double p) => _g.Chance(p);
            private T Pick<T>(IReadOnlyList<T> items) => _g.Pick(items);
            private int Int(int lo, int hi) => _g.Int(lo, hi);
            private string Num(double v) => _g.Num(v);
            private string Lit(double lo, double hi) => _g.Lit(lo, hi);

            // ------------------------------------------------------------ names

            private string Fresh(bool tricky = true)
            {
                for (int attempt = 0; attempt < 12; attempt++)
                {
                    var n = attempt < 8 ? _g.RawName(tricky) : _g.RawName(false) + (++_counter).ToString(CultureInfo.InvariantCulture);
                    // Now and then a name that differs from an existing one only where the backend changes
                    // names: a trailing '_', the '__next' of a state, 'ae' before '__', a combining mark as '_';
                    // or the name of the law's type or of its population.
                    if (attempt == 0 && _syms.Count > 0 && Chance(0.1))
                    {
                        var other = Pick(_syms).Name;
                        n = _g._r.Next(5) switch
                        {
                            4 => Chance(0.5) ? _name : _name + "Population",
                            0 => other + "_",
                            1 when _g._o.NextSuffixNames => other + "__next",
                            2 when _g._o.AePrefixNames && other.StartsWith("__", StringComparison.Ordinal) => "ae" + other,
                            2 => "_" + other,
                            _ => new string(other.Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray()),
                        };
                    }
                    if (n.Length == 0 || NotAName.Contains(n) || _names.Contains(n)) continue;
                    if (n.Contains("__")) continue;   // reserved (AE0018): such a program would not check clean
                    if (!_g._o.NextSuffixNames && n.EndsWith("__next", StringComparison.Ordinal)) continue;
                    if (!_g._o.TrailingUnderscoreNames && n.EndsWith("_", StringComparison.Ordinal)) continue;
                    if (!_g._o.NameofName && n == "nameof") continue;
                    if (!_g._o.DoubleUnderscoreCNames && n.StartsWith("__c", StringComparison.Ordinal)) continue;
                    if (!_g._o.AePrefixNames && _names.Any(m => n == "ae" + m || m == "ae" + n)) continue;
                    _names.Add(n);
                    return n;
                }
                string fallback;
                do fallback = "v" + (++_counter).ToString(CultureInfo.InvariantCulture); while (!_names.Add(fallback));
                return fallback;
            }

            private string RuleId()
            {
                string[] pool = { "R1", "R2", "AE5", "brake", "gauge", "None", "All", "Step", "Rules", "class", "double", "measure", "_r", "_on", "Enabled", "k" };
                for (int attempt = 0; ; attempt++)
                {
                    string id = attempt < 6
                        ? (_g._o.Unicode && Chance(0.1) ? Pick(new[] { "ρ", "規則", "é", "e\u0301" }) : Pick(pool))
                        : "R" + attempt.ToString(CultureInfo.InvariantCulture);
                    if (!_g._o.RulesNamedNoneOrAll && id is "None" or "All") continue;
                    if (!_g._o.TrailingUnderscoreNames && id.EndsWith("_", StringComparison.Ordinal)) continue;
                    if (!NotAName.Contains(id) && _ruleIds.Add(id)) return id;
                }
            }

            private Sym Add(string name, SK kind, Ty type)
            {
                var s = new Sym { Name = name, Kind = kind, Type = type };
                _syms.Add(s);
                return s;
            }

            private string TypeText(Ty t) => (t.Kind switch { K.Int => "int", K.Bool => "bool", _ => "real" }) + (t.Dim != null ? "[" + t.Dim + "]" : "");

            // ------------------------------------------------------------ the unit

            public void Generate()
            {
                _name = _g.UnitName();
                _cell = Chance(0.1);
                _smooth = Chance(0.06);
                _optimizer = Chance(0.6);
                Declare();
                Rules();
                Sink();

                var sb = new StringBuilder();
                sb.Append(_smooth ? "smooth " : "").Append(_cell ? "cell " : "law ").Append(_name);
                if (Chance(0.5)) sb.Append(' ').Append(_g.Title());
                sb.Append(" {\n");
                foreach (var m in _members) sb.Append(m).Append('\n');
                sb.Append("}\n");
                _g._blocks.Add(sb.ToString());
                Variants();
            }

            // ------------------------------------------------------------ declarations

            private void Declare()
            {
                // dims: one run-time dim for an optimizer, else one or two; sometimes fixed and derived ones
                var main = Fresh();
                Add(main, SK.Dim, Ty.Int);
                _dims.Add(main);
                var dimDecls = new List<string> { main };
                if (!_optimizer && Chance(0.25))
                {
                    var second = Fresh();
                    Add(second, SK.Dim, Ty.Int);
                    _dims.Add(second);
                    dimDecls.Add(second);
                }
                if (Chance(0.2))
                {
                    var h = Fresh();
                    Add(h, SK.Dim, Ty.Int);
                    _dims.Add(h);
                    dimDecls.Add(h + " = " + Int(1, 5).ToString(CultureInfo.InvariantCulture));
                }
                if (_g._o.DerivedDims && Chance(0.15))
                {
                    var w = Fresh();
                    Add(w, SK.Dim, Ty.Int);
                    _dims.Add(w);
                    dimDecls.Add(w + " = " + Pick(new[] { main + " + 2", "2*" + main + " - 1", "(" + main + " + 1) * 2", "3 + " + main }));
                }
                EmitList("dim", dimDecls);

                // params
                var paramDecls = new List<string>();
                int nParams = Int(1, 6);
                for (int i = 0; i < nParams; i++) paramDecls.Add(Param());
                // every dim needs a vector leaf: the optimizer's own for the main dim, vector params for the rest
                foreach (var d in _dims)
                    if (!_optimizer || d != _dims[0] || Chance(0.3)) paramDecls.Add(VectorParam(d));
                EmitList("param", paramDecls);

                // inputs and host state
                var inputs = new List<string>();
                var states = new List<string>();
                if (_optimizer)
                {
                    var loss = Fresh();
                    Add(loss, SK.Input, Ty.Real);
                    var grad = Fresh();
                    Add(grad, SK.Input, new Ty(K.Real, main));
                    inputs.Add(loss + ": real");
                    inputs.Add(grad + ": real[" + main + "]");
                    var theta = Fresh();
                    Add(theta, SK.State, new Ty(K.Real, main)).Host = true;
                    states.Add(theta + ": real[" + main + "]");
                }
                else
                {
                    int n = Int(0, 3);
                    for (int i = 0; i < n; i++)
                    {
                        var name = Fresh();
                        var t = _g._r.Next(7) switch
                        {
                            0 or 1 => Ty.Real,
                            2 when !_smooth => Ty.Bool,
                            3 => Ty.Int,
                            4 when !_smooth && _g._o.BoolVectorValues && Chance(0.3) => new Ty(K.Bool, Pick(_dims)),
                            _ => new Ty(K.Real, Pick(_dims)),
                        };
                        Add(name, SK.Input, t);
                        inputs.Add(name + ": " + TypeText(t));
                    }
                    int hosts = Int(0, 2);
                    for (int i = 0; i < hosts; i++)
                    {
                        var name = Fresh();
                        var t = new Ty(K.Real, Pick(_dims));
                        Add(name, SK.State, t).Host = true;
                        states.Add(name + ": " + TypeText(t));
                    }
                    if (!_g._o.LawsWithoutRealData && !_syms.Any(s => s.Host || (s.Kind == SK.Input && (s.Type.IsVector || s.Type.Kind == K.Real))))
                    {
                        var name = Fresh();
                        Add(name, SK.Input, Ty.Real);
                        inputs.Add(name + ": real");
                    }
                }
                if (inputs.Count > 0) EmitList("input", inputs);

                // owned state
                int owned = Int(0, 4);
                for (int i = 0; i < owned; i++) states.Add(State());
                if (!_syms.Any(s => s.Kind == SK.State && s.Type == Ty.Real)) states.Add(Sink0());
                if (Chance(0.5)) Shuffle(states);
                EmitList("state", states);

                // coefficients
                var coeffs = new List<string>();
                int nCoeffs = Int(0, 3);
                for (int i = 0; i < nCoeffs; i++) coeffs.Add(Coeff());
                if (coeffs.Count > 0) EmitList("coeff", coeffs);

                // signals
                var signals = new List<string>();
                int nSignals = Int(0, 4);
                for (int i = 0; i < nSignals; i++) signals.Add(Signal());
                if (signals.Count > 0) EmitList("signal", signals);

                // accumulators
                var accs = new List<string>();
                int nAccs = Int(0, 3);
                for (int i = 0; i < nAccs; i++)
                {
                    var name = Fresh();
                    if (Chance(0.3))
                    {
                        var t = new Ty(K.Real, Pick(_dims));
                        Add(name, SK.Acc, t);
                        accs.Add(name + ": " + TypeText(t) + " = " + Num(Pick(new[] { 0.0, 0.0, 0.5 })));
                    }
                    else
                    {
                        Add(name, SK.Acc, Ty.Real);
                        accs.Add(name + " = " + Num(Pick(new[] { 0.0, 0.0, 1.0, -0.25 })));
                    }
                }
                if (accs.Count > 0) EmitList("acc", accs);

                // deferred neutrals read an accumulator: declared after it
                var deferred = new List<string>();
                foreach (var a in _syms.Where(s => s.Kind == SK.Acc && !s.Type.IsVector).ToList())
                    if (Chance(0.3))
                    {
                        var name = Fresh();
                        var s = Add(name, SK.Signal, Ty.Real);
                        s.HasNeutral = true;
                        s.WillDefine = true;
                        a.Used = true;
                        deferred.Add(name + " = " + a.Name);
                    }
                if (deferred.Count > 0) EmitList("signal", deferred);

                if (Chance(0.1)) Require();
                if (Chance(0.15)) Shuffle(_decls);
                _members.AddRange(_decls);
            }

            private void Shuffle<T>(List<T> items) => _g.Shuffle(items);

            /// <summary>A declaration keyword with its items, one per line or several per line.</summary>
            private void EmitList(string keyword, List<string> items)
            {
                if (items.Count == 0) return;
                if (Chance(0.5)) { _decls.Add("  " + keyword + " " + string.Join(", ", items) + ";"); return; }
                foreach (var i in items) _decls.Add("  " + keyword + " " + i + ";");
            }

            private string Param()
            {
                var name = Fresh();
                switch (_g._r.Next(9))
                {
                    case 0:
                    {
                        var s = Add(name, SK.Param, Ty.Real);
                        s.Beta = true;
                        return name + " in [0, 1) = " + Num(Pick(new[] { 0.0, 0.5, 0.9, 0.99, 0.8 }));
                    }
                    case 1:
                        Add(name, SK.Param, Ty.Real);
                        _positiveRange.Add(name);
                        return name + " in (0, 1] = " + Num(Pick(new[] { 1e-3, 0.01, 0.1, 1.0 }));
                    case 2:
                    {
                        var s = Add(name, SK.Param, Ty.Int);
                        s.PositiveInt = true;
                        return name + ": int in [1, 10] = " + Int(1, 10).ToString(CultureInfo.InvariantCulture);
                    }
                    case 3:
                        Add(name, SK.Param, Ty.Int);
                        return name + ": int = " + Int(-3, 5).ToString(CultureInfo.InvariantCulture);
                    case 4 when !_smooth:
                        Add(name, SK.Param, Ty.Bool);
                        return name + ": bool = " + (Chance(0.5) ? "true" : "false");
                    case 5:
                    {
                        // a default that reads another real param
                        var other = _syms.FirstOrDefault(s => s.Kind == SK.Param && s.Type == Ty.Real);
                        Add(name, SK.Param, Ty.Real);
                        if (other == null) return name + " = " + Lit(-2, 2);
                        other.Used = true;
                        return name + " = " + Pick(new[] { "2 * " + other.Name, other.Name + " + 0.5", "-" + other.Name, "min(" + other.Name + ", 1)" });
                    }
                    case 6:
                    {
                        Add(name, SK.Param, Ty.Real);
                        double lo = Math.Round(-2 + _g._r.NextDouble() * 2, 2), hi = lo + 0.5 + Math.Round(_g._r.NextDouble() * 3, 2);
                        return name + " in [" + Num(lo) + ", " + (Chance(0.2) ? "inf" : Num(hi)) + "] = " + Num(Math.Round(lo + (hi - lo) / 2, 2));
                    }
                    default:
                        Add(name, SK.Param, Ty.Real);
                        return name + " = " + Lit(-2, 2);
                }
            }

            private string VectorParam(string dim)
            {
                var name = Fresh();
                Add(name, SK.Param, new Ty(K.Real, dim));
                var scalar = _syms.FirstOrDefault(s => s.Kind == SK.Param && s.Type == Ty.Real && s.Name != name);
                var vector = _syms.FirstOrDefault(s => s.Kind == SK.Param && s.Type.IsVector && s.Type.Kind == K.Real && s.Type.Dim == dim && s.Name != name);
                string def;
                if (scalar != null && Chance(0.25)) { scalar.Used = true; def = scalar.Name; }
                else if (vector != null && Chance(0.3)) { vector.Used = true; def = Pick(new[] { vector.Name + " * 2", vector.Name, "-" + vector.Name + " + 1" }); }
                else def = Lit(-1, 1);
                return name + ": real[" + dim + "] = " + def;
            }

            private string State()
            {
                var name = Fresh();
                switch (_g._r.Next(8))
                {
                    case 0 when !_smooth:
                        Add(name, SK.State, Ty.Bool);
                        return name + ": bool" + (Chance(0.7) ? " = " + (Chance(0.5) ? "true" : "false") : "");
                    case 1:
                        Add(name, SK.State, Ty.Int);
                        return name + ": int" + (Chance(0.7) ? " = " + Int(0, 3).ToString(CultureInfo.InvariantCulture) : "");
                    case 2:
                    {
                        Add(name, SK.State, Ty.Real);
                        return name + ": real in [-1, 1] = " + Lit(-1, 1);
                    }
                    case 3:
                    case 4:
                    {
                        var t = new Ty(K.Real, Pick(_dims));
                        Add(name, SK.State, t);
                        var bounds = Chance(0.2) ? " in [-2, 2]" : "";
                        return name + ": " + TypeText(t) + bounds + " = " + Lit(-1, 1);
                    }
                    default:
                        Add(name, SK.State, Ty.Real);
                        return Chance(0.2) ? name + ": real" : name + " = " + Lit(-1, 1);
                }
            }

            /// <summary>A scalar real state: what the rules' consuming statements refine.</summary>
            private string Sink0()
            {
                var name = Fresh();
                Add(name, SK.State, Ty.Real);
                return name + " = 0";
            }

            private string Coeff()
            {
                var name = Fresh();
                if (Chance(0.08))
                {
                    var t = new Ty(K.Real, Pick(_dims));
                    Add(name, SK.Coeff, t);
                    return name + ": " + TypeText(t) + " in [0, 1] = 0.5";
                }
                Add(name, SK.Coeff, Ty.Real);
                // bounds: literals, or params with declared ranges
                var positive = _syms.FirstOrDefault(s => s.Kind == SK.Param && s.Type == Ty.Real && s.Beta == false && s.Name != name && IsPositiveRangeParam(s));
                if (positive != null && Chance(0.4))
                {
                    positive.Used = true;
                    return name + " in [" + positive.Name + ", 2]" + (Chance(0.5) ? " log" : "") + " = " + Num(1.5);
                }
                double lo = Pick(new[] { 1e-4, 1e-3, 0.01, 0.5 });
                double hi = lo * Pick(new[] { 10.0, 100.0, 1000.0 });
                bool log = Chance(0.4);
                var open = Chance(0.2) ? "(" : "[";
                return name + " in " + open + Num(lo) + ", " + Num(hi) + "]" + (log ? " log" : "") + (Chance(0.85) ? " = " + Num(Math.Round(lo * 3, 6)) : "");
            }

            private readonly HashSet<string> _positiveRange = new(StringComparer.Ordinal);
            private bool IsPositiveRangeParam(Sym s) => _positiveRange.Contains(s.Name);

            private string Signal()
            {
                var name = Fresh();
                switch (_g._r.Next(7))
                {
                    case 0:
                    {
                        // typed, no neutral: defined in a fixed rule or the update
                        var s = Add(name, SK.Signal, Ty.Real);
                        s.WillDefine = true;
                        return name + ": real";
                    }
                    case 1:
                    {
                        var t = new Ty(K.Real, Pick(_dims));
                        var s = Add(name, SK.Signal, t);
                        s.WillDefine = true;
                        s.HasNeutral = Chance(0.6);
                        return name + ": " + TypeText(t) + (s.HasNeutral ? " = " + Lit(-1, 1) : "");
                    }
                    case 2 when !_smooth:
                    {
                        var s = Add(name, SK.Signal, Ty.Bool);
                        s.HasNeutral = true;
                        s.WillDefine = Chance(0.8);
                        return name + ": bool = " + (Chance(0.5) ? "true" : "false");
                    }
                    case 3:
                    {
                        // never defined: its neutral at every step
                        var s = Add(name, SK.Signal, Ty.Real);
                        s.HasNeutral = true;
                        return name + " = " + Lit(-1, 1);
                    }
                    default:
                    {
                        var s = Add(name, SK.Signal, Ty.Real);
                        s.HasNeutral = true;
                        s.WillDefine = true;
                        return name + (Chance(0.3) ? ": real" : "") + " = " + Lit(-1, 1);
                    }
                }
            }

            private void Require()
            {
                var p = _syms.FirstOrDefault(s => s.Kind == SK.Param && s.Type == Ty.Real && s.Beta);
                if (p == null) return;
                p.Used = true;
                _decls.Add("  require " + (Chance(0.5) ? "ok" + (++_counter).ToString(CultureInfo.InvariantCulture) + ": " : "") + p.Name + " < 1;");
            }

            // ------------------------------------------------------------ rules

            private void Rules()
            {
                int count = Int(1, 4);
                int updateAt = Chance(0.85) ? (Chance(0.8) ? count : Int(0, count)) : -1;
                for (int i = 0; i <= count; i++)
                {
                    if (i == updateAt) { _members.Add(Rule(update: true)); }
                    if (i == count) break;
                    if (Chance(0.15)) Group();
                    else _members.Add(Rule(update: false));
                }
            }

            /// <summary>Rules written in a group (maybe using another group), used here.</summary>
            private void Group()
            {
                var name = _g.UnitName();
                var sb = new StringBuilder("group " + name + (Chance(0.3) ? " " + _g.Title() : "") + " {\n");
                int n = Int(1, 2);
                for (int i = 0; i < n; i++)
                {
                    if (i == 1 && Chance(0.4))
                    {
                        var inner = _g.UnitName();
                        var ib = new StringBuilder("group " + inner + " {\n");
                        ib.Append(Rule(update: false)).Append('\n');
                        ib.Append("}\n");
                        _g._blocks.Add(ib.ToString());
                        sb.Append("  use ").Append(inner).Append(";\n");
                    }
                    sb.Append(Rule(update: false)).Append('\n');
                }
                sb.Append("}\n");
                _g._blocks.Add(sb.ToString());
                _members.Add("  use " + name + ";");
            }

            private string Rule(bool update)
            {
                var rule = new RuleInfo();
                bool isFixed = !update && Chance(0.3);
                rule.Ablatable = !update && !isFixed;
                rule.Smooth = _smooth || Chance(0.1);
                rule.Id = update ? "update" : RuleId();
                if (rule.Ablatable) _switchable.Add(rule.Id);
                var head = new StringBuilder("  ");
                if (rule.Smooth && !_smooth) head.Append("smooth ");
                if (isFixed) head.Append("fixed ");
                head.Append(update ? "update" : "rule " + rule.Id);
                if (Chance(0.4)) head.Append(' ').Append(_g.Title());
                head.Append(" {\n");

                var lines = new List<string>();
                int n = Int(1, 6);
                for (int i = 0; i < n; i++) Statement(rule, lines, "    ", inWhen: false, depth: 0);
                if (update && _optimizer)
                {
                    // the task update: the host's parameters take a step
                    var theta = _syms.First(s => s.Host);
                    var grad = _syms.First(s => s.Kind == SK.Input && s.Type.IsVector);
                    grad.Used = true;
                    var ctx = NewCtx(rule, vector: true);
                    lines.Add("    " + theta.Name + "' = " + theta.Name + "' - " + Pos(Ty.Real, 1, ctx, small: true) + " * " + (_g._r.Next(ctx.Smooth ? 2 : 4) switch { 0 => grad.Name, 1 => "tanh(" + grad.Name + ")", 2 => "sanitize(" + grad.Name + ", 100)", _ => "(" + grad.Name + " + " + Real(new Ty(K.Real, grad.Type.Dim), 1, ctx) + ")" }) + ";");
                    rule.HadEffect = true;
                }
                // every value a switchable rule defines is read in the rule; and a rule has an effect
                var unused = rule.Locals.Where(l => !l.Used && (rule.Ablatable || Chance(0.5))).ToList();
                if (unused.Count > 0 || !rule.HadEffect) lines.Add("    " + Consume(rule, unused));
                return head + string.Concat(lines.Select(l => l + "\n")) + "  }";
            }

            private Ctx NewCtx(RuleInfo rule, bool vector = false) => new() { Rule = rule, Smooth = rule.Smooth || _smooth, Vector = vector };

            /// <summary>S' = S' + 0.001 * (...): reads the given values; refines a scalar state, so the rule has an effect.</summary>
            private string Consume(RuleInfo rule, IEnumerable<Sym> values)
            {
                var target = _syms.First(s => s.Kind == SK.State && s.Type == Ty.Real);
                var terms = new List<string>();
                foreach (var v in values)
                {
                    v.Used = true;
                    terms.Add(v.Type.Kind == K.Bool
                        ? (v.Type.IsVector ? "sum(" + v.Name + " ? 1 : 0)" : "(" + v.Name + " ? 1 : 0)")
                        : v.Type.IsVector ? "tanh(mean(" + v.Name + "))" : "tanh(" + v.Name + ")");
                }
                if (terms.Count == 0) terms.Add(Real(Ty.Real, 1, NewCtx(rule)));
                rule.HadEffect = true;
                return target.Name + "' = " + target.Name + "' + 0.001 * (" + string.Join(" + ", terms) + ");";
            }

            private void Statement(RuleInfo rule, List<string> lines, string indent, bool inWhen, int depth)
            {
                var ctx = NewCtx(rule);
                int choice = _g._r.Next(inWhen ? 10 : 20);
                if (!inWhen && choice < 7) { DefineLocal(rule, lines, indent, ctx); return; }
                if (!inWhen && choice < 10 && DefineSignal(rule, lines, indent, ctx)) return;
                if (choice < 14 || (inWhen && choice < 7)) { SetNext(rule, lines, indent, ctx); return; }
                if (choice < 17 || inWhen && choice < 9) { if (Accumulate(rule, lines, indent, ctx)) return; SetNext(rule, lines, indent, ctx); return; }
                if (!ctx.Smooth && depth < 2) { When(rule, lines, indent, depth); return; }
                SetNext(rule, lines, indent, ctx);
            }

            private void DefineLocal(RuleInfo rule, List<string> lines, string indent, Ctx ctx)
            {
                var name = Fresh();
                int k = _g._r.Next(10);
                Ty t = k switch
                {
                    < 5 => Ty.Real,
                    < 8 => new Ty(K.Real, Pick(_dims)),
                    8 when !ctx.Smooth => Chance(0.7) || !_g._o.BoolVectorValues ? Ty.Bool : new Ty(K.Bool, Pick(_dims)),
                    _ => Ty.Int,
                };
                var c = ctx.With(vector: t.IsVector);
                c.Defining = name;
                string value = Expr(t, Int(1, 4), c);
                lines.Add(indent + name + " = " + value + ";");
                var s = Add(name, SK.Local, t);
                s.Rule = rule.Id;
                s.RuleAblatable = rule.Ablatable;
                s.RuleSmooth = ctx.Smooth;
                rule.Locals.Add(s);
            }

            private bool DefineSignal(RuleInfo rule, List<string> lines, string indent, Ctx ctx)
            {
                var candidates = _syms.Where(s => s.Kind == SK.Signal && s.WillDefine && !s.Defined && (s.HasNeutral || !rule.Ablatable) && (s.Type.Kind != K.Bool || !ctx.Smooth)).ToList();
                if (candidates.Count == 0) return false;
                var sig = Pick(candidates);
                var c = ctx.With(vector: sig.Type.IsVector, output: sig.Type.IsVector);
                c.Defining = sig.Name;
                lines.Add(indent + sig.Name + " = " + Expr(sig.Type, Int(1, 4), c) + ";");
                sig.Defined = true;
                rule.HadEffect = true;
                return true;
            }

            private void SetNext(RuleInfo rule, List<string> lines, string indent, Ctx ctx)
            {
                var targets = _syms.Where(s => (s.Kind is SK.State or SK.Coeff) && (s.Type.Kind != K.Bool || !ctx.Smooth)).ToList();
                var target = Pick(targets);
                var t = target.Type;
                string value;
                if (t.IsVector && Chance(0.1)) value = Real(Ty.Real, 2, ctx.With(vector: true, output: true));   // a scalar fills the vector
                else
                {
                    var c = ctx.With(vector: t.IsVector, output: t.IsVector);
                    value = t.Kind != K.Real || Chance(0.5) ? Expr(t, Int(1, 4), c) : _g._r.Next(3) switch
                    {
                        0 => target.Name + "' + " + Num(0.05) + " * " + Real(t, 2, c),
                        1 => "lerp(" + target.Name + "', " + Real(t, 2, c) + ", " + Num(0.1) + ")",
                        _ => target.Name + " * " + Num(0.9) + " + " + Real(t, 2, c),
                    };
                }
                if (!_g._o.SelfAssignmentsAndComparisons && value == target.Name + "'")
                    value = t.Kind == K.Real ? target.Name + "' + " + Num(0.5) : target.Name;
                lines.Add(indent + target.Name + "' = " + value + ";");
                rule.HadEffect = true;
            }

            private bool Accumulate(RuleInfo rule, List<string> lines, string indent, Ctx ctx)
            {
                var accs = _syms.Where(s => s.Kind == SK.Acc).ToList();
                if (accs.Count == 0) return false;
                var acc = Pick(accs);
                var t = acc.Type.IsVector && Chance(0.15) ? Ty.Real : acc.Type;
                lines.Add(indent + acc.Name + " += " + Real(t, Int(1, 3), ctx.With(vector: acc.Type.IsVector)) + ";");
                rule.HadEffect = true;
                return true;
            }

            private void When(RuleInfo rule, List<string> lines, string indent, int depth)
            {
                var ctx = NewCtx(rule);
                lines.Add(indent + "when " + Bool(Ty.Bool, Int(1, 3), ctx) + " {");
                Block(rule, lines, indent, depth);
                while (true)
                {
                    double u = _g._r.NextDouble();
                    if (u < 0.4) { lines.Add(indent + "}"); return; }
                    if (u < 0.75)
                    {
                        lines.Add(indent + "} else {");
                        Block(rule, lines, indent, depth);
                        lines.Add(indent + "}");
                        return;
                    }
                    lines.Add(indent + "} else when " + Bool(Ty.Bool, Int(1, 3), ctx) + " {");
                    Block(rule, lines, indent, depth);
                }
            }

            private void Block(RuleInfo rule, List<string> lines, string indent, int depth)
            {
                int n = Int(1, 3);
                for (int i = 0; i < n; i++) Statement(rule, lines, indent + "  ", inWhen: true, depth: depth + 1);
            }

            /// <summary>Everything that must be read (AE0050) or defined (AE0017) and is not yet: one last fixed rule.</summary>
            private void Sink()
            {
                var leftovers = _syms.Where(s => !s.Used && (s.Kind is SK.Param or SK.Input or SK.Acc || (s.Kind == SK.Local && !s.RuleAblatable)
                    || (s.Kind == SK.Signal && !s.WillDefine))).ToList();
                var undefined = _syms.Where(s => s.Kind == SK.Signal && s.WillDefine && !s.Defined).ToList();
                if (leftovers.Count == 0 && undefined.Count == 0) return;
                var rule = new RuleInfo { Id = RuleId(), Ablatable = false, Smooth = _smooth };
                var lines = new List<string>();
                foreach (var sig in undefined)
                {
                    var c = NewCtx(rule, vector: sig.Type.IsVector);
                    c.Defining = sig.Name;
                    lines.Add("    " + sig.Name + " = " + Expr(sig.Type, 1, c) + ";");
                    sig.Defined = true;
                }
                // reading them may have used some; the rest are read here
                leftovers = leftovers.Where(s => !s.Used).ToList();
                if (leftovers.Count > 0 || lines.Count == 0) lines.Add("    " + Consume(rule, leftovers));
                _members.Add("  fixed rule " + rule.Id + " {\n" + string.Concat(lines.Select(l => l + "\n")) + "  }");
            }

            // ------------------------------------------------------------ variants

            private void Variants()
            {
                var kind = _cell ? "cell " : "law ";
                var made = new List<(string Name, List<string> Without)>();
                int n = Chance(0.5) ? Int(1, 2) : 0;
                for (int i = 0; i < n; i++)
                {
                    var name = _g.UnitName();
                    bool laggable = !_lagUnsafe && (_g._o.LaggedReadsOfRefinedScalars || !_lagReadsRefinable);
                    bool lagged = laggable && Chance(0.4);
                    // a variant of a variant removes both lists (and is lagged when either is)
                    var baseName = _name;
                    var removed = new List<string>();
                    if (made.Count > 0 && Chance(0.3))
                    {
                        var b = Pick(made);
                        baseName = b.Name;
                        removed.AddRange(b.Without);
                    }
                    var left = _switchable.Where(r => !removed.Contains(r)).ToList();
                    var without = new List<string>();
                    if (left.Count > 0 && (!lagged || Chance(0.4)))
                    {
                        int k = Int(1, Math.Min(3, left.Count));
                        Shuffle(left);
                        without.AddRange(left.Take(k));
                    }
                    if (without.Count == 0 && !lagged)
                    {
                        if (!laggable) continue;
                        lagged = true;
                    }
                    var text = kind + name + (Chance(0.3) ? " " + _g.Title() : "") + " = " + baseName
                        + (without.Count > 0 ? " without " + string.Join(", ", without) : "") + (lagged ? " lagged" : "") + ";";
                    _g._blocks.Add(text + "\n");
                    made.Add((name, removed.Concat(without).ToList()));
                }
            }
        }
    }
}
