using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace AE.Dsl.IR
{
    public enum ScalarType { Real, Int, Bool }

    /// <summary>
    /// A dimension as a linear form over dimension symbols: <c>Constant + Σ k·sym</c>. Laws keep their
    /// run-time dims (<c>dim n;</c>) symbolic; cells fix every dim, so their forms are constants.
    /// Normalised (sorted, no zero terms), so structural equality is dimension equality.
    /// </summary>
    public sealed class DimExpr : IEquatable<DimExpr>
    {
        private readonly KeyValuePair<string, long>[] _terms;

        private DimExpr(long constant, IEnumerable<KeyValuePair<string, long>> terms)
        {
            Constant = constant;
            _terms = terms.Where(t => t.Value != 0).OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
        }

        public long Constant { get; }
        public IReadOnlyList<KeyValuePair<string, long>> Terms => _terms;
        public bool IsConstant => _terms.Length == 0;

        public static DimExpr Const(long value) => new(value, Array.Empty<KeyValuePair<string, long>>());
        public static DimExpr Symbol(string name) => new(0, new[] { new KeyValuePair<string, long>(name, 1) });

        public static DimExpr operator +(DimExpr a, DimExpr b) => Combine(a, b, 1);
        public static DimExpr operator -(DimExpr a, DimExpr b) => Combine(a, b, -1);

        /// <summary>The value with each dim's value given by <paramref name="dim"/> (checked: a size beyond int is an error).</summary>
        /// <summary>The value for the given dims, in 64 bits: a dim derived from run-time ones can be checked before it is an int.</summary>
        public long EvaluateLong(Func<string, long> dim)
        {
            long v = Constant;
            foreach (var t in _terms) v += t.Value * dim(t.Key);
            return v;
        }

        public int Evaluate(Func<string, long> dim)
        {
            long v = Constant;
            foreach (var t in _terms) v += t.Value * dim(t.Key);
            return checked((int)v);
        }

        public DimExpr Scale(long k) => new(Constant * k, _terms.Select(t => new KeyValuePair<string, long>(t.Key, t.Value * k)));

        private static DimExpr Combine(DimExpr a, DimExpr b, long sign)
        {
            var d = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var t in a._terms) d[t.Key] = t.Value;
            foreach (var t in b._terms) d[t.Key] = (d.TryGetValue(t.Key, out var v) ? v : 0) + sign * t.Value;
            return new DimExpr(a.Constant + sign * b.Constant, d);
        }

        public bool Equals(DimExpr? other)
        {
            if (other is null || other.Constant != Constant || other._terms.Length != _terms.Length) return false;
            for (int i = 0; i < _terms.Length; i++)
                if (_terms[i].Key != other._terms[i].Key || _terms[i].Value != other._terms[i].Value) return false;
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as DimExpr);
        public override int GetHashCode() => ToString().GetHashCode();

        public override string ToString()
        {
            if (_terms.Length == 0) return Constant.ToString(CultureInfo.InvariantCulture);
            var sb = new StringBuilder();
            foreach (var t in _terms)
            {
                if (sb.Length > 0) sb.Append(t.Value < 0 ? " - " : " + ");
                else if (t.Value < 0) sb.Append('-');
                long k = Math.Abs(t.Value);
                if (k != 1) sb.Append(k.ToString(CultureInfo.InvariantCulture)).Append('*');
                sb.Append(t.Key);
            }
            if (Constant != 0) sb.Append(Constant < 0 ? " - " : " + ").Append(Math.Abs(Constant).ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }
    }

    /// <summary>The type of every IR value: a scalar kind and a shape (empty for scalars).</summary>
    public sealed record IrType(ScalarType Scalar, EqArray<DimExpr> Shape)
    {
        public static readonly IrType Real = new(ScalarType.Real, EqArray<DimExpr>.Empty);
        public static readonly IrType Int = new(ScalarType.Int, EqArray<DimExpr>.Empty);
        public static readonly IrType Bool = new(ScalarType.Bool, EqArray<DimExpr>.Empty);
        /// <summary>The type of an expression that failed to bind; it unifies with everything so one error is reported once.</summary>
        public static readonly IrType Error = new(ScalarType.Real, EqArray.Of(DimExpr.Symbol("?")));

        public static IrType Vector(ScalarType scalar, DimExpr length) => new(scalar, EqArray.Of(length));

        public int Rank => Shape.Count;
        public bool IsScalar => Shape.Count == 0;
        public bool IsError => ReferenceEquals(this, Error);
        public bool IsNumeric => Scalar != ScalarType.Bool;

        public IrType WithScalar(ScalarType s) => IsError ? this : new IrType(s, Shape);

        public override string ToString()
        {
            if (IsError) return "<error>";
            var s = Scalar switch { ScalarType.Real => "real", ScalarType.Int => "int", _ => "bool" };
            return Shape.Count == 0 ? s : s + "[" + string.Join(", ", Shape.Select(d => d.ToString())) + "]";
        }
    }
}
