using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Reflection;
using AE.Experiments.Cells;
using AE.Runtime.Cells;

namespace AE.Cli
{
    /// <summary>
    /// Refuses a cell's size (<c>--batch</c>, <c>--time</c>, ...) whose buffers cannot be allocated, before the cell is
    /// built: building it would fail half-way with an out-of-memory error, or an array length past what an array holds.
    /// </summary>
    internal static class CellMemory
    {
        /// <summary>
        /// A cell of <paramref name="compiled"/> at this size, on <paramref name="threads"/> threads (a <see cref="BatchParallelCell{T}"/>
        /// when more than one), once its buffers are known to fit.
        /// </summary>
        public static ICell<T> Build<T>(CompiledCell<T> compiled, int batch, int time, int checkpointEvery, int threads,
            IReadOnlyList<(string Option, long? Given)> sizes, CliContext context) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var footprint = threads > 1
                ? BatchParallelCell<T>.Footprint(compiled.Layout, batch, threads, time, checkpointEvery)
                : CellBase<T>.Footprint(compiled.Layout, batch, time, checkpointEvery);
            Check(footprint, CellBase<T>.Footprint(compiled.Layout, 1, 1, 1), batch, time, sizes, context);
            try
            {
                return threads > 1
                    ? new BatchParallelCell<T>(b => compiled.Make(b, time, checkpointEvery), batch, threads)
                    : compiled.Make(batch, time, checkpointEvery);
            }
            catch (Exception ex) when ((ex as TargetInvocationException)?.InnerException is OutOfMemoryException || ex is OutOfMemoryException)
            {
                // Within the bound, yet the memory was taken by then (other processes, fragmentation): still one line.
                throw new CliException(Asked(sizes, batch, time) + ": out of memory building the cell (it needs about " + Bytes(footprint.Bytes) + "); "
                    + Lower(sizes), ex);
            }
        }

        /// <param name="footprint">what the cell (or the cells of a parallel batch) would allocate</param>
        /// <param name="least">what it would allocate for one sequence of one step: its parameters and their gradients, mostly</param>
        /// <param name="sizes">the size options and their values, in the order the help lists them; those given are named</param>
        private static void Check(CellFootprint footprint, CellFootprint least, int batch, int time, IReadOnlyList<(string Option, long? Given)> sizes, CliContext context)
        {
            string asked = Asked(sizes, batch, time);
            // No size option helps a cell whose parameters alone do not fit: say so rather than advise lowering them.
            bool tooLargeAtAnySize = !least.FitsInArrays || least.Bytes > context.AvailableMemoryBytes;
            if (tooLargeAtAnySize)
            {
                footprint = least;
                batch = time = 1;
            }
            string lower = tooLargeAtAnySize ? "no size option makes it fit (its parameters and their gradients are most of it)" : Lower(sizes);
            string size = (tooLargeAtAnySize ? " even for " : " for ") + Count(batch, "sequence") + " of " + Count(time, "step");
            if (!footprint.FitsInArrays)
                throw new CliException(asked + ": one of the cell's arrays" + size + " would hold " + Number(footprint.LongestArray) + " values, more than an array holds ("
                    + Array.MaxLength.ToString(CultureInfo.InvariantCulture) + "); " + lower);
            if (footprint.Bytes > context.AvailableMemoryBytes)
                throw new CliException(asked + ": the cell's values" + size + " need about " + Bytes(footprint.Bytes) + ", more than the " + Bytes(context.AvailableMemoryBytes)
                    + " this process can allocate; " + lower);
        }

        private static string Lower(IReadOnlyList<(string Option, long? Given)> sizes) => "lower " + string.Join(" or ", sizes.Select(s => s.Option));

        /// <summary>The size options given, with their values; the batch and time when none was (the defaults).</summary>
        private static string Asked(IReadOnlyList<(string Option, long? Given)> sizes, int batch, int time)
        {
            var given = sizes.Where(s => s.Given is not null).Select(s => s.Option + " " + s.Given!.Value.ToString(CultureInfo.InvariantCulture)).ToList();
            return given.Count > 0 ? string.Join(" ", given) : "batch " + batch.ToString(CultureInfo.InvariantCulture) + ", time " + time.ToString(CultureInfo.InvariantCulture);
        }

        private static string Count(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");

        /// <summary>A whole count, in full while an int holds it, else as 1.2e+13.</summary>
        private static string Number(double n) => n <= int.MaxValue ? n.ToString("0", CultureInfo.InvariantCulture) : n.ToString("0.0e+0", CultureInfo.InvariantCulture);

        /// <summary>Bytes in decimal units, two or three significant digits: 512 bytes, 3.2 GB, 45 TB.</summary>
        internal static string Bytes(double bytes)
        {
            string[] units = { "bytes", "kB", "MB", "GB", "TB", "PB", "EB" };
            int unit = 0;
            while (bytes >= 1000 && unit < units.Length - 1)
            {
                bytes /= 1000;
                unit++;
            }
            string format = unit == 0 || bytes >= 10 ? "0" : "0.0";
            return bytes.ToString(format, CultureInfo.InvariantCulture) + " " + units[unit];
        }
    }
}
