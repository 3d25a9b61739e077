using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Dsl.Tests.Fuzz
{
    internal sealed partial class ProgramGenerator
    {
        /// <summary>Expressions. Every compound is parenthesised, so the text parses as it was built.</summary>
        private sealed partial class LawGen
        {
            private string Expr(Ty t, int depth, Ctx c) => t.Kind switch
            {
                K.Bool => Bool(t, depth, c),
                K.Int when !t.IsVector => IntExpr(depth, c),
                _ => Real(t with { Kind = K.Real }, depth, c),
            };

            // ------------------------------------------------------------ leaves

            private bool Readable(Sym s, Ctx c) => s.Kind switch
            {
                SK.Signal => s.Name != c.Defining && (s.Defined || (s.HasNeutral && !s.WillDefine)),
                SK.Local => s.Name != c.Defining && (s.Rule == c.Rule.Id || !s.RuleAblatable),
                _ => true,
            };

            /// <summary>Readable values of a type: (text, symbol); state and coefficients also as next values.</summary>
            private List<(string Text, Sym Sym)> Values(K kind, string? dim, Ctx c)
            {
                var list = new List<(string, Sym)>();
                foreach (var s in _syms)
                {
                    if (s.Type.Kind != kind || s.Type.Dim != dim || !Readable(s, c)) continue;
                    if (kind == K.Int && c.Vector && !_g._o.IntValuesInVectorStatements && s.Kind is not (SK.Param or SK.Dim)) continue;
                    list.Add((s.Name, s));
                    if ((s.Kind is SK.State or SK.Coeff) && (kind != K.Bool || !c.Vector || _g._o.BoolNextValuesInVectors)) list.Add((s.Name + "'", s));
                }
                return list;
            }

            private string Use((string Text, Sym Sym) v) => Use(v, null);

            private string Use((string Text, Sym Sym) v, Ctx? c)
            {
                v.Sym.Used = true;
                if (c != null && c.InReduction && !v.Sym.Type.IsVector && (v.Sym.Kind == SK.Acc || v.Text.EndsWith("'", StringComparison.Ordinal)))
                    _lagReadsRefinable = true;
                return v.Text;
            }

            private string LeafReal(Ty t, Ctx c)
            {
                var values = Values(K.Real, t.Dim, c);
                values.AddRange(Values(K.Int, t.Dim, c));
                if (!t.IsVector)
                {
                    if (values.Count == 0 || Chance(0.3)) return Lit(-2, 2);
                    if (Chance(0.05)) return Chance(0.5) ? "pi" : AsReal("step");
                    if (!c.Smooth && Chance(0.08))
                    {
                        var bools = Values(K.Bool, null, c);
                        if (bools.Count > 0) return "(" + Use(Pick(bools), c) + " ? 1 : 0)";
                    }
                    var v = Pick(values);
                    return v.Sym.Type.Kind == K.Int ? AsReal(Use(v, c)) : Use(v, c);
                }
                if (!c.Smooth && Chance(0.05))
                {
                    var bools = Values(K.Bool, t.Dim, c);
                    if (bools.Count > 0) return "(" + Use(Pick(bools)) + " ? " + Lit(-1, 1) + " : " + Lit(-1, 1) + ")";
                }
                if (values.Count == 0) return "(" + Lit(-1, 1) + " * noise(" + t.Dim + "))";   // not reached: every dim has a vector param
                return Use(Pick(values));
            }

            // ------------------------------------------------------------ real values

            private string Real(Ty t, int d, Ctx c)
            {
                if (d <= 0 || Chance(0.2)) return LeafReal(t, c);
                var sub = t.IsVector && Chance(0.4) ? Ty.Real : t;   // the other operand may be a scalar
                bool scalar = !t.IsVector;
                bool smooth = c.Smooth;
                switch (_g._r.Next(24))
                {
                    case 0: case 1: case 2: case 3:
                        return "(" + Real(t, d - 1, c) + " " + Pick(new[] { "+", "-", "*" }) + " " + Real(sub, d - 1, c) + ")";
                    case 4:
                        return "(" + Real(t, d - 1, c) + " / " + Pos(sub, d - 1, c) + ")";
                    case 5:
                        return "(-" + Real(t, d - 1, c) + ")";
                    case 6: case 7:
                        return Pick(new[] { "tanh", "sigmoid", "sin", "cos", "softplus" }) + "(" + Real(t, d - 1, c) + ")";
                    case 8:
                        return smooth || Chance(0.5) ? "exp(" + Pick(new[] { "tanh", "-softplus" }) + "(" + Real(t, d - 1, c) + "))" : "exp(-abs(" + Real(t, d - 1, c) + "))";
                    case 9:
                        return _g._r.Next(3) switch
                        {
                            0 => "log(" + Pos(t, d - 1, c) + ")",
                            1 => "log1p(" + NonNeg(t, d - 1, c) + ")",
                            _ => "sqrt(" + NonNeg(t, d - 1, c) + ")",
                        };
                    case 10 when !smooth:
                        return Pick(new[] { "abs", "relu", "sign" }) + "(" + Real(t, d - 1, c) + ")";
                    case 11 when !smooth:
                        return _g._r.Next(3) switch
                        {
                            0 => "clamp(" + Real(t, d - 1, c) + ", " + Lit(-2, -0.5) + ", " + Lit(0.5, 2) + ")",
                            1 => "min(" + Real(t, d - 1, c) + ", " + Real(sub, d - 1, c) + ")",
                            _ => "max(" + Real(t, d - 1, c) + ", " + Real(sub, d - 1, c) + ")",
                        };
                    case 12:
                        return _g._r.Next(4) switch
                        {
                            0 => "softabs(" + Real(t, d - 1, c) + ", " + Lit(0.01, 1) + ")",
                            1 => "softclamp(" + Real(t, d - 1, c) + ", " + Lit(-2, -0.5) + ", " + Lit(0.5, 2) + ")",
                            2 => "smoothmax(" + Real(t, d - 1, c) + ", " + Real(sub, d - 1, c) + ", " + Lit(1, 5) + ")",
                            _ => "smoothmin(" + Real(t, d - 1, c) + ", " + Real(sub, d - 1, c) + ", " + Lit(1, 5) + ")",
                        };
                    case 13:
                        return "lerp(" + Real(t, d - 1, c) + ", " + Real(sub, d - 1, c) + ", " + Real(Chance(0.5) ? Ty.Real : sub, d - 1, c) + ")";
                    case 14 when !smooth:
                        return Chance(0.5)
                            ? "finite_or(" + Real(t, d - 1, c) + ", " + Real(sub, d - 1, c) + ")"
                            : "sanitize(" + Real(t, d - 1, c) + ", " + Lit(1, 100) + ")";
                    case 15:
                        return _g._r.Next(3) switch
                        {
                            0 => "(" + Pos(t, d - 1, c) + " ^ " + Pick(new[] { "0.5", "1.5", "-1", "2", "0.25" }) + ")",
                            1 => "(" + Real(t, d - 1, c) + " ^ 2)",
                            _ => "(" + Real(t, d - 1, c) + " ^ 3)",
                        };
                    case 16 when !smooth:
                        return "(" + Real(t, d - 1, c) + " % " + Num(Pick(new[] { 1.5, 2.0, 0.7, 3.0 })) + ")";
                    case 17 when !smooth:
                    {
                        var cond = t.IsVector && Chance(0.4) ? Bool(t with { Kind = K.Bool }, d - 1, c) : Bool(Ty.Bool, d - 1, c);
                        return "(" + cond + " ? " + Real(t, d - 1, c) + " : " + Real(sub, d - 1, c) + ")";
                    }
                    case 18 when scalar:
                    case 19 when scalar:
                        return Reduction(d, c);
                    case 20 when scalar && FiltersAllowed(c):
                        return Filter(d, c);
                    case 21 when Draws(t, c):
                        if (c.InReduction) _lagUnsafe = true;
                        if (t.IsVector) _vectorDrawn = true;
                        return "(" + Lit(0.001, 0.05) + " * noise(" + (t.IsVector ? t.Dim : "") + "))";
                    case 22 when scalar:
                        return AsReal(IntExpr(d - 1, c));
                    default:
                        return "(" + Real(t, d - 1, c) + " " + Pick(new[] { "+", "-", "*" }) + " " + Real(sub, d - 1, c) + ")";
                }
            }

            /// <summary>An int in a real expression: as it is, or as (i + 0) so that C# computes with doubles (see IntNegativeZero).</summary>
            private string AsReal(string i) => _g._o.IntNegativeZero ? i : "(" + i + " + 0)";

            /// <summary>
            /// Whether a draw may come here. Unless draws may come in any order, the law has at most one vector
            /// draw, in the value of a vector state or signal, and no scalar draw after it.
            /// </summary>
            private bool Draws(Ty t, Ctx c)
            {
                if (_g._o.DrawsInAnyOrder) return t.IsVector || SideEffectsAllowed(c);
                if (_vectorDrawn) return false;
                return t.IsVector ? c.Output && !c.InReduction : SideEffectsAllowed(c);
            }

            /// <summary>A scalar filter or a scalar draw: in a vector statement only now and then (issue "noise").</summary>
            private bool SideEffectsAllowed(Ctx c) => !c.Vector || (_g._o.ScalarSideEffectsInVectors && Chance(0.3));

            private bool FiltersAllowed(Ctx c) => !c.Vector || (_g._o.ScalarFiltersInVectors && Chance(0.05));

            /// <summary>Provably positive: the checker's interval analysis sees it, so log and division are clean.</summary>
            private string Pos(Ty t, int d, Ctx c, bool small = false)
            {
                var x = Real(t, d - 1, c);
                string p = (c.Smooth ? _g._r.Next(4) + 2 : _g._r.Next(6)) switch
                {
                    0 => "(abs(" + x + ") + " + Lit(0.1, 1) + ")",
                    1 => "max(" + x + ", " + Lit(0.1, 1) + ")",
                    2 => "(softplus(" + x + ") + " + Lit(0.1, 1) + ")",
                    3 => "exp(tanh(" + x + "))",
                    4 => "softabs(" + x + ", " + Lit(0.1, 1) + ")",
                    _ => "(" + Lit(0.1, 1) + " + sigmoid(" + x + "))",
                };
                return small ? "(" + Lit(0.001, 0.05) + " * " + p + ")" : p;
            }

            private string NonNeg(Ty t, int d, Ctx c) => !c.Smooth && Chance(0.5) ? "abs(" + Real(t, d - 1, c) + ")" : Pos(t, d, c);

            private string Reduction(int d, Ctx c)
            {
                var dim = Pick(_dims);
                var v = new Ty(K.Real, dim);
                var cc = c.With(vector: true, inReduction: true, output: false);
                if (_g._o.LogSumExp && Chance(0.1)) return "logsumexp(" + Real(v, d - 1, cc) + ")";
                return _g._r.Next(c.Smooth ? 5 : 7) switch
                {
                    0 => "sum(" + Real(v, d - 1, cc) + ")",
                    1 => "mean(" + Real(v, d - 1, cc) + ")",
                    2 => "dot(" + Real(v, d - 1, cc) + ", " + Real(v, d - 1, cc) + ")",
                    3 => "norm(" + Real(v, d - 1, cc) + ")",
                    4 => "cosine(" + Real(v, d - 1, cc) + ", " + Real(v, d - 1, cc) + ")",
                    5 => "max(" + Real(v, d - 1, cc) + ")",
                    _ => "min(" + Real(v, d - 1, cc) + ")",
                };
            }

            private string Rate()
            {
                var betas = _syms.Where(s => s.Beta).ToList();
                if (betas.Count > 0 && Chance(0.4))
                {
                    var b = Pick(betas);
                    b.Used = true;
                    return b.Name;
                }
                return Num(Pick(new[] { 0.0, 0.5, 0.9, 0.99, 0.3 }));
            }

            private string Filter(int d, Ctx c)
            {
                if (c.InReduction) _lagUnsafe = true;
                return _g._r.Next(c.Smooth ? 3 : 4) switch
                {
                    0 => "ema(" + Rate() + ", " + Real(Ty.Real, d - 1, c) + ")",
                    1 => "lp(" + Rate() + ", " + Real(Ty.Real, d - 1, c) + ")",
                    2 => "prev(" + Real(Ty.Real, d - 1, c) + ", " + Real(Ty.Real, d - 1, c) + ")",
                    _ => "latch(" + Bool(Ty.Bool, d - 1, c) + ", " + Real(Ty.Real, d - 1, c) + ", " + Real(Ty.Real, d - 1, c) + ")",
                };
            }

            // ------------------------------------------------------------ bool values

            private string Bool(Ty t, int d, Ctx c)
            {
                var values = Values(K.Bool, t.Dim, c);
                if (d <= 0 || Chance(0.2))
                {
                    if (values.Count > 0 && Chance(0.6)) return Use(Pick(values), c);
                    if (!t.IsVector && Chance(0.3)) return Chance(0.5) ? "true" : "false";
                    return Compare(t, 0, c);
                }
                switch (_g._r.Next(10))
                {
                    case 0: case 1: case 2:
                        return Compare(t, d - 1, c);
                    case 3:
                        return "(!" + Bool(t, d - 1, c) + ")";
                    case 4:
                        return "(" + Bool(t, d - 1, c) + Pick(new[] { " && ", " || " }) + Bool(t.IsVector && Chance(0.3) ? Ty.Bool : t, d - 1, c) + ")";
                    case 5:
                        return "isfinite(" + Real(t with { Kind = K.Real }, d - 1, c) + ")";
                    case 6 when _g._o.BoolEqualities:
                    {
                        var a = Bool(t, d - 1, c);
                        var b = Bool(t, d - 1, c);
                        if (!_g._o.SelfAssignmentsAndComparisons && a == b) b = "(!" + b + ")";
                        return "(" + a + Pick(new[] { " == ", " != " }) + b + ")";
                    }
                    case 7 when !t.IsVector:
                        return "(" + IntExpr(d - 1, c) + " % " + Divisor() + Pick(new[] { " == 0)", " != 1)", " > 0)" });
                    case 8 when !t.IsVector:
                        return "(" + Bool(Ty.Bool, d - 1, c) + " ? " + Bool(t, d - 1, c) + " : " + Bool(t, d - 1, c) + ")";
                    case 9 when !t.IsVector && FiltersAllowed(c):
                        if (c.InReduction) _lagUnsafe = true;
                        return Chance(0.5)
                            ? "prev(" + Bool(t, d - 1, c) + ", " + (Chance(0.5) ? "false" : "true") + ")"
                            : "latch(" + Bool(t, d - 1, c) + ", " + Bool(t, d - 1, c) + ", " + Bool(t, d - 1, c) + ")";
                    default:
                        return Compare(t, d - 1, c);
                }
            }

            private string Compare(Ty t, int d, Ctx c)
            {
                var rt = t with { Kind = K.Real };
                var other = t.IsVector && Chance(0.5) ? Ty.Real : rt;
                var op = Pick(new[] { " < ", " <= ", " > ", " >= ", " == ", " != " });
                var (a, b) = Chance(0.5) ? (Real(rt, d, c), Real(other, d, c)) : (Real(other, d, c), Real(rt, d, c));
                if (!_g._o.SelfAssignmentsAndComparisons && a == b) b = "(" + b + " + " + Num(0.5) + ")";
                return "(" + a + op + b + ")";
            }

            /// <summary>An int divisor the checker knows is not 0: a dim, step, or an int param declared in [1, ...].</summary>
            private string Divisor()
            {
                var ds = _syms.Where(s => s.PositiveInt || s.Kind == SK.Dim).ToList();
                if (ds.Count == 0 || Chance(0.2)) return "step";
                var s = Pick(ds);
                s.Used = true;
                return s.Name;
            }

            // ------------------------------------------------------------ int values

            private string IntExpr(int d, Ctx c)
            {
                var values = Values(K.Int, null, c);
                if (d <= 0 || Chance(0.3))
                    return values.Count == 0 || Chance(0.2) ? "step" : Use(Pick(values), c);
                bool zeros = _g._o.IntNegativeZero;
                switch (_g._r.Next(6))
                {
                    case 0: case 1:
                        return "(" + IntExpr(d - 1, c) + Pick(zeros ? new[] { " + ", " - ", " * " } : new[] { " + ", " - " }) + IntExpr(d - 1, c) + ")";
                    case 2 when !c.Smooth && zeros:
                        return "(" + IntExpr(d - 1, c) + " % " + Divisor() + ")";
                    case 3 when zeros:
                        return "(-" + IntExpr(d - 1, c) + ")";
                    case 4 when !c.Smooth:
                        return "(" + Bool(Ty.Bool, d - 1, c) + " ? " + IntExpr(d - 1, c) + " : " + IntExpr(d - 1, c) + ")";
                    case 5 when FiltersAllowed(c):
                        if (c.InReduction) _lagUnsafe = true;
                        return "prev(" + IntExpr(d - 1, c) + ", " + IntExpr(d - 1, c) + ")";
                    default:
                        return values.Count == 0 ? "step" : Use(Pick(values), c);
                }
            }
        }
    }
}
