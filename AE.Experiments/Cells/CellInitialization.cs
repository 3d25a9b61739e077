using System;
using System.Linq;
using System.Numerics;
using AE.Runtime.Cells;

namespace AE.Experiments.Cells
{
    /// <summary>How a cell's weights start, as PyTorch starts them.</summary>
    public static class CellInitialization
    {
        /// <summary>
        /// PyTorch's default initialisation of <c>nn.Linear</c>: weight and bias uniform within 1/sqrt(fan-in), fan-in the
        /// weight's second dimension, drawn from <paramref name="random"/> parameter by parameter in the cell's order.
        /// Real params (names without a dot) keep their declared values.
        /// </summary>
        public static void PyTorchDefault<T>(ICell<T> cell, Random random) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (random is null) throw new ArgumentNullException(nameof(random));
            foreach (var p in cell.Parameters)
            {
                if (!p.Name.Contains('.', StringComparison.Ordinal)) continue;
                var weight = p.Shape.Length == 2 ? p : cell.Parameters.FirstOrDefault(w => w.Name == ReplaceLast(p.Name, "bias", "weight"));
                int fanIn = weight is { Shape.Length: 2 } ? Math.Max(1, weight.Shape[1]) : 1;
                double bound = 1 / Math.Sqrt(fanIn);
                var v = cell.Parameter(p.Name);
                for (int i = 0; i < v.Length; i++) v[i] = T.CreateTruncating((random.NextDouble() * 2 - 1) * bound);
            }
        }

        private static string ReplaceLast(string s, string what, string with)
        {
            int i = s.LastIndexOf(what, StringComparison.Ordinal);
            return i < 0 ? s : s.Substring(0, i) + with + s.Substring(i + what.Length);
        }
    }
}
