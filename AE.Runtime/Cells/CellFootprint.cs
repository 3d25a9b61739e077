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

        /// <summary>
        /// The buffers every cell keeps by name for a batch over a sequence: the parameters and their gradient, the inputs
        /// and outputs and their gradients over the sequence, and the initial and final states and their gradients.
        /// </summary>
        internal static CellFootprint NamedBuffers<T>(CellLayout layout, double batch, double time) where T : unmanaged
        {
            double parameters = Sum(layout.Parameters, p => p.Size);
            double inputs = Sum(layout.Inputs, i => i.Size), outputs = Sum(layout.Outputs, o => o.Size);
            double states = Sum(layout.States, s => s.Size);
            double values = 2 * parameters                  // theta, grad
                + 2 * time * batch * (inputs + outputs)     // inputs, input gradients, outputs, output gradients
                + 4 * batch * states;                       // initial, final, final gradients, initial gradients
            double longest = time * batch * Math.Max(Max(layout.Inputs, i => i.Size), Max(layout.Outputs, o => o.Size));
            return new CellFootprint(values * System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), longest);
        }

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
