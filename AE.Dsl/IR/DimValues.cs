using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AE.Dsl.IR
{
    /// <summary>
    /// Every dim of a unit as a number, from the run-time dims given: each run-time dim given and at least 1, each dim
    /// derived from them (<c>dim w = n - 3</c>) and each vector length written over them (<c>real[3 * n]</c>) at least 1
    /// and within an int. The checker proves this for fixed dims (AE0023); the others can only be checked once the
    /// run-time dims are known, here.
    /// </summary>
    public static class DimValues
    {
        /// <exception cref="ArgumentException">a run-time dim without a value</exception>
        /// <exception cref="DimValueException">
        /// a dim below 1 or beyond an int, the message naming it and the run-time dims; its Dim and Value are the run-time dim it
        /// comes from and that dim's value
        /// </exception>
        public static Dictionary<string, int> Resolve(IrUnit unit, IReadOnlyDictionary<string, int>? given)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            var dims = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var d in unit.Dims.Where(d => d.IsRuntime))
            {
                if (given == null || !given.TryGetValue(d.Name, out var v)) throw new ArgumentException($"dim '{d.Name}' needs a value");
                if (v < 1) throw new DimValueException(d.Name, v, $"dimension '{d.Name}' must be at least 1");
                dims[d.Name] = v;
            }
            foreach (var d in unit.Dims.Where(d => !d.IsRuntime))
            {
                // Declaration order is dependency order (a dim reads dims declared before it).
                long value = d.Value.EvaluateLong(name => dims[name]);
                if (value < 1 || value > int.MaxValue)
                {
                    // Named by the run-time dim it comes from, as a free length is: the law does not run at that value.
                    string from = RunTimeDimsUnder(unit, d.Name).First();
                    throw new DimValueException(from, dims[from], OutOfRange(unit, d.Name, d.Value.ToString(), value, dims));
                }
                dims[d.Name] = (int)value;
            }
            foreach (var length in FreeLengths(unit))
            {
                long value = length.EvaluateLong(name => dims[name]);
                if (value < 1 || value > int.MaxValue)
                {
                    string dim = FirstRunTimeDim(unit, length);
                    throw new DimValueException(dim, dims[dim], LengthOutOfRange(unit, length.ToString(), value, dims));
                }
            }
            return dims;
        }

        /// <summary>
        /// The lengths a unit's vectors take that are neither a dim nor fixed (<c>real[3 * n]</c>, the n + 2 of a
        /// <c>concat</c>), in the order the unit first has them: each must be at least 1 and within an int, as a derived dim.
        /// </summary>
        public static IReadOnlyList<DimExpr> FreeLengths(IrUnit unit)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            var named = new HashSet<DimExpr>(unit.Dims.Select(d => DimExpr.Symbol(d.Name)).Concat(unit.Dims.Select(d => d.Value)));
            var types = unit.Params.Select(p => p.Type).Concat(unit.Inputs.Select(i => i.Type)).Concat(unit.States.Select(s => s.Type))
                .Concat(unit.Signals.Select(s => s.Type)).Concat(unit.Accs.Select(a => a.Type)).Concat(unit.Locals.Select(l => l.Type))
                .Concat(unit.Rules.SelectMany(r => r.Body).SelectMany(IrFacts.AllExpressions).SelectMany(IrFacts.Descendants).Select(e => e.Type));
            var lengths = new List<DimExpr>();
            foreach (var length in types.Where(t => !t.IsError).SelectMany(t => t.Shape))
                if (!length.IsConstant && !named.Contains(length) && !lengths.Contains(length)) lengths.Add(length);
            return lengths;
        }

        /// <summary>The first run-time dim <paramref name="length"/> reads, itself or through the dims derived from it.</summary>
        public static string FirstRunTimeDim(IrUnit unit, DimExpr length)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            if (length is null) throw new ArgumentNullException(nameof(length));
            return length.Terms.SelectMany(t => RunTimeDimsUnder(unit, t.Key)).First();
        }

        /// <summary>The run-time dims a dim is or is derived from, in the order its definition names them (repeats included).</summary>
        public static IEnumerable<string> RunTimeDimsUnder(IrUnit unit, string dim)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            var d = unit.Dims.First(x => x.Name == dim);
            return d.IsRuntime ? new[] { d.Name } : d.Value.Terms.SelectMany(t => RunTimeDimsUnder(unit, t.Key));
        }

        /// <summary>"length 3 * n is 3000000000 for n = 1000000000; a dimension must be at least 1 and at most 2147483647".</summary>
        public static string LengthOutOfRange(IrUnit unit, string length, long value, IReadOnlyDictionary<string, int> dims)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            return $"length {length} is {value.ToString(CultureInfo.InvariantCulture)} for {RunTimeValues(unit, dims)}; " + Bounds;
        }

        private static string RunTimeValues(IrUnit unit, IReadOnlyDictionary<string, int> dims) =>
            string.Join(", ", unit.Dims.Where(d => d.IsRuntime && dims.ContainsKey(d.Name)).Select(d => d.Name + " = " + dims[d.Name].ToString(CultureInfo.InvariantCulture)));

        /// <summary>What a dimension must be, in the words of every backend's message (the generated constructor's too).</summary>
        public static readonly string Bounds = "a dimension must be at least 1 and at most " + int.MaxValue.ToString(CultureInfo.InvariantCulture);

        /// <summary>"dimension 'w' = n - 3 is -1 for n = 2; a dimension must be at least 1 and at most 2147483647": the words every backend uses.</summary>
        public static string OutOfRange(IrUnit unit, string dim, string definition, long value, IReadOnlyDictionary<string, int> dims)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            return $"dimension '{dim}' = {definition} is {value.ToString(CultureInfo.InvariantCulture)} for {RunTimeValues(unit, dims)}; "
                + Bounds;
        }
    }

    /// <summary>
    /// A dim below 1 or beyond an int for the run-time dims given (an <see cref="ArgumentOutOfRangeException"/>, as before):
    /// <see cref="Dim"/> the run-time dim it comes from, <see cref="Value"/> that dim's value, <see cref="Text"/> the message
    /// as written, without what .NET adds to an argument exception's message (in the runtime's language).
    /// </summary>
    public sealed class DimValueException : ArgumentOutOfRangeException
    {
        public DimValueException(string dim, int value, string text) : base(dim, value, text)
        {
            Dim = dim;
            Value = value;
            Text = text;
        }

        public DimValueException() : this("", 0, "a dimension is out of range") { }

        public DimValueException(string message) : this("", 0, message) { }

        public DimValueException(string message, Exception innerException) : base(message, innerException)
        {
            Dim = "";
            Text = message;
        }

        /// <summary>The run-time dim the failing dim or length comes from.</summary>
        public string Dim { get; }

        /// <summary>That run-time dim's value.</summary>
        public int Value { get; }

        /// <summary>The message as written.</summary>
        public string Text { get; }
    }
}
