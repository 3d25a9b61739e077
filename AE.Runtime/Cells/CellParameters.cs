using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using AE.Runtime.Tensors;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// A cell's parameters as a named set of tensors, by PyTorch's names and shapes (<c>f_net.0.weight</c>, [out, in]):
    /// loaded from and saved to safetensors files (what PyTorch's and TorchSharp's state dicts are written as), or any
    /// <see cref="SafeTensorSet"/>. Loading checks names and shapes and says what differs.
    /// </summary>
    public static class CellParameters
    {
        /// <summary>
        /// Copies every parameter of <paramref name="cell"/> from <paramref name="tensors"/> (converted to the cell's precision).
        /// With <paramref name="strict"/> (the default), a parameter missing from the set or a tensor that is not a parameter
        /// is an error; otherwise the missing keep their values and the others are ignored.
        /// </summary>
        /// <exception cref="CellParameterException">a name or a shape differs (the message names it and both shapes), or a value is not
        /// finite or lies outside its param's declared range</exception>
        public static void Load<T>(ICell<T> cell, SafeTensorSet tensors, bool strict = true) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (tensors is null) throw new ArgumentNullException(nameof(tensors));
            var names = new HashSet<string>(cell.Parameters.Select(p => p.Name), StringComparer.Ordinal);
            if (strict)
            {
                var extra = tensors.Names.Where(n => !names.Contains(n)).ToList();
                if (extra.Count > 0) throw new CellParameterException($"'{extra[0]}' is not a parameter of {cell.CellName} (its parameters: {string.Join(", ", names)})");
            }
            foreach (var p in cell.Parameters)
            {
                if (!tensors.TryGetValue(p.Name, out var t))
                {
                    if (strict) throw new CellParameterException($"parameter '{p.Name}' of {cell.CellName} is missing");
                    continue;
                }
                if (!t.Shape.SequenceEqual(p.Shape))
                    throw new CellParameterException($"'{p.Name}' has shape {t.ShapeText}, {cell.CellName}'s is [{string.Join(", ", p.Shape)}]");
                var target = cell.Parameter(p.Name);
                int count = target.Length;
                for (int i = 0; i < count; i++)
                {
                    double given = t.Float64 is { } d ? d[i] : t.Float32![i];
                    var value = T.CreateTruncating(given);
                    // A weight that is not finite (or that the cell's precision cannot hold) gives a loss that is not finite: say so here.
                    if (!T.IsFinite(value))
                        throw new CellParameterException(double.IsFinite(given)
                            ? $"'{p.Name}' holds {given.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} at index {i}, which {typeof(T).Name.ToLowerInvariant()} cannot hold"
                            : $"'{p.Name}' holds {given.ToString(System.Globalization.CultureInfo.InvariantCulture)} at index {i}; every parameter must be finite");
                    // A param outside its declared range breaks what the checker proved from it (sqrt(1 - k) with k in (0, 1]).
                    // The file's value is judged: one inside that this precision rounds onto an open end (a float64 run's
                    // 0.5000000000000001 for k in (0.5, 1), read as float32) becomes the nearest value inside, as training keeps it.
                    if (p.Range is { } range)
                    {
                        if (!range.Contains(given))
                            throw new CellParameterException($"'{p.Name}' holds {given.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} at index {i}, outside its declared range {range}");
                        value = range.Nearest(value);
                    }
                    target[i] = value;
                }
            }
        }

        /// <summary>Every parameter of <paramref name="cell"/> as a tensor of its precision (F64 for double, F32 for float).</summary>
        public static SafeTensorSet ToTensors<T>(ICell<T> cell) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            var set = new SafeTensorSet();
            foreach (var p in cell.Parameters)
            {
                var values = cell.Parameter(p.Name);
                if (typeof(T) == typeof(double)) set.Add(p.Name, SafeTensor.FromDoubles(p.Shape, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(values).ToArray()));
                else if (typeof(T) == typeof(float)) set.Add(p.Name, SafeTensor.FromSingles(p.Shape, System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(values).ToArray()));
                else throw new NotSupportedException("a cell of " + typeof(T).Name + " (double and float are)");
            }
            set.Metadata["cell"] = cell.CellName;
            return set;
        }

        /// <summary>Loads the parameters from a safetensors file (see <see cref="Load{T}(ICell{T}, SafeTensorSet, bool)"/>).</summary>
        /// <exception cref="SafeTensorsException">the file cannot be read or is malformed</exception>
        /// <exception cref="CellParameterException">a name or a shape differs from the cell's (the message starts with the path)</exception>
        public static void Load<T>(ICell<T> cell, string path, bool strict = true) where T : unmanaged, IFloatingPointIeee754<T> =>
            LoadFile(path, set => Load(cell, set, strict));

        /// <summary>Reads a safetensors file and hands it to <paramref name="load"/>; a name or shape that differs is reported with the path in front.</summary>
        /// <exception cref="SafeTensorsException">the file cannot be read or is malformed</exception>
        /// <exception cref="CellParameterException">thrown by <paramref name="load"/>; the message starts with the path</exception>
        public static void LoadFile(string path, Action<SafeTensorSet> load)
        {
            if (load is null) throw new ArgumentNullException(nameof(load));
            var set = SafeTensors.Read(path);
            try { load(set); }
            catch (CellParameterException ex) { throw new CellParameterException(path + ": " + ex.Message, ex); }
        }

        /// <summary>Writes the parameters to a safetensors file.</summary>
        public static void Save<T>(ICell<T> cell, string path) where T : unmanaged, IFloatingPointIeee754<T> => SafeTensors.Write(path, ToTensors(cell));
    }

    /// <summary>A set of tensors does not fit a cell's parameters: a missing or extra name, or a shape that differs.</summary>
    public sealed class CellParameterException : Exception
    {
        public CellParameterException() { }

        public CellParameterException(string message) : base(message) { }

        public CellParameterException(string message, Exception innerException) : base(message, innerException) { }
    }
}
