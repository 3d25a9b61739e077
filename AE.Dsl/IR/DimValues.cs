using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AE.Dsl.IR
{
    /// <summary>
    /// Every dim of a unit as a number, from the run-time dims given: each run-time dim given and at least 1, each dim
    /// derived from them (<c>dim w = n - 3</c>) at least 1 and within an int. The checker proves this for fixed dims
    /// (AE0023); a derived dim can only be checked once the run-time dims are known, here.
    /// </summary>
    public static class DimValues
    {
        /// <exception cref="ArgumentException">a run-time dim without a value</exception>
        /// <exception cref="ArgumentOutOfRangeException">a dim below 1 or beyond an int, the message naming it and the run-time dims</exception>
        public static Dictionary<string, int> Resolve(IrUnit unit, IReadOnlyDictionary<string, int>? given)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            var dims = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var d in unit.Dims.Where(d => d.IsRuntime))
            {
                if (given == null || !given.TryGetValue(d.Name, out var v)) throw new ArgumentException($"dim '{d.Name}' needs a value");
                if (v < 1) throw new ArgumentOutOfRangeException(d.Name, v, $"dimension '{d.Name}' must be at least 1");
                dims[d.Name] = v;
            }
            foreach (var d in unit.Dims.Where(d => !d.IsRuntime))
            {
                // Declaration order is dependency order (a dim reads dims declared before it).
                long value = d.Value.EvaluateLong(name => dims[name]);
                if (value < 1 || value > int.MaxValue) throw new ArgumentOutOfRangeException(d.Name, value, OutOfRange(unit, d.Name, d.Value.ToString(), value, dims));
                dims[d.Name] = (int)value;
            }
            return dims;
        }

        /// <summary>What a dimension must be, in the words of every backend's message (the generated constructor's too).</summary>
        public static readonly string Bounds = "a dimension must be at least 1 and at most " + int.MaxValue.ToString(CultureInfo.InvariantCulture);

        /// <summary>"dimension 'w' = n - 3 is -1 for n = 2; a dimension must be at least 1 and at most 2147483647": the words every backend uses.</summary>
        public static string OutOfRange(IrUnit unit, string dim, string definition, long value, IReadOnlyDictionary<string, int> dims)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            var runtime = unit.Dims.Where(d => d.IsRuntime && dims.ContainsKey(d.Name)).Select(d => d.Name + " = " + dims[d.Name].ToString(CultureInfo.InvariantCulture));
            return $"dimension '{dim}' = {definition} is {value.ToString(CultureInfo.InvariantCulture)} for {string.Join(", ", runtime)}; "
                + Bounds;
        }
    }
}
