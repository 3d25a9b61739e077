using System;
using System.Collections;
using System.Collections.Generic;

namespace AE.Dsl.IR
{
    /// <summary>
    /// An immutable array compared by value, so IR records (and generator pipeline models built from
    /// them) are equatable element by element.
    /// </summary>
    public readonly struct EqArray<T> : IEquatable<EqArray<T>>, IReadOnlyList<T>
    {
        private readonly T[]? _items;

        public EqArray(IEnumerable<T> items) { _items = new List<T>(items).ToArray(); }

        public static EqArray<T> Empty => default;
        public int Count => _items?.Length ?? 0;
        public T this[int index] => (_items ?? Array.Empty<T>())[index];

        public bool Equals(EqArray<T> other)
        {
            var a = _items ?? Array.Empty<T>();
            var b = other._items ?? Array.Empty<T>();
            if (a.Length != b.Length) return false;
            var cmp = EqualityComparer<T>.Default;
            for (int i = 0; i < a.Length; i++) if (!cmp.Equals(a[i], b[i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is EqArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            unchecked
            {
                int h = 17;
                foreach (var item in _items ?? Array.Empty<T>()) h = h * 31 + (item is null ? 0 : EqualityComparer<T>.Default.GetHashCode(item));
                return h;
            }
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public static bool operator ==(EqArray<T> a, EqArray<T> b) => a.Equals(b);
        public static bool operator !=(EqArray<T> a, EqArray<T> b) => !a.Equals(b);
        public override string ToString() => "[" + string.Join(", ", this) + "]";
    }

    public static class EqArray
    {
        public static EqArray<T> From<T>(IEnumerable<T> items) => new(items);
        public static EqArray<T> Of<T>(params T[] items) => new(items);
    }
}
