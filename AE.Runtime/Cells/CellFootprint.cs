using System;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// What a cell allocates when it is built, told from its layout before it is: the bytes of its buffers and the
    /// element count of the longest one (an array holds at most <see cref="Array.MaxLength"/>), so that a host can refuse
    /// a batch or a sequence that cannot be held instead of failing half-way through the allocation. Counts are doubles:
    /// the sizes asked for may overflow any integer type, and a double is exact far beyond what can be allocated.
    /// </summary>
    public sealed record CellFootprint(double Bytes, double LongestArray)
    {
        /// <summary>Two footprints held at once.</summary>
        public CellFootprint Plus(CellFootprint other)
        {
            if (other is null) throw new ArgumentNullException(nameof(other));
            return new CellFootprint(Bytes + other.Bytes, Math.Max(LongestArray, other.LongestArray));
        }

        /// <summary>Whether every buffer fits in an array.</summary>
        public bool FitsInArrays => LongestArray <= Array.MaxLength;

        internal static double Sum<TItem>(TItem[] items, Func<TItem, int> size)
        {
            double sum = 0;
            foreach (var item in items) sum += size(item);
            return sum;
        }

        internal static double Max<TItem>(TItem[] items, Func<TItem, int> size)
        {
            double max = 0;
            foreach (var item in items) max = Math.Max(max, size(item));
            return max;
        }
    }
}
