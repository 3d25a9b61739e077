using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Experiments.Replay;

namespace AE.Experiments.Cells
{
    /// <summary>A tensor of a reference file: values in row-major order and the shape (PyTorch's tensor.tolist()).</summary>
    public sealed record Tensor(double[] Values, int[] Shape)
    {
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";

        /// <summary>The multi-index of flat element <paramref name="flat"/>, e.g. <c>[2, 7, 0]</c>.</summary>
        /// <summary>The position of element <paramref name="flat"/> (row-major), one index per dimension; empty for a number.</summary>
        public int[] Index(int flat)
        {
            var index = new int[Shape.Length];
            for (int d = Shape.Length - 1; d >= 0; d--) { index[d] = flat % Math.Max(Shape[d], 1); flat /= Math.Max(Shape[d], 1); }
            return index;
        }
    }

    /// <summary>
    /// A cell reference file in the layout of the golden <c>cell_*.json</c> files: which seed cell
    /// (<see cref="Cell"/>), params by PyTorch name, inputs, outputs (among them the scalar loss) and
    /// autograd's gradient of every param. Other top-level arrays and numbers (e.g. <c>alpha</c>) are kept in
    /// <see cref="Extra"/>: values of the cell's own params.
    /// </summary>
    public sealed class CellReference
    {
        public string DisplayPath { get; }
        public string Cell { get; }
        public IReadOnlyDictionary<string, Tensor> Params { get; }
        public IReadOnlyDictionary<string, Tensor> Inputs { get; }
        public IReadOnlyDictionary<string, Tensor> Outputs { get; }
        public double Loss { get; }
        public IReadOnlyDictionary<string, Tensor> Grads { get; }
        public IReadOnlyDictionary<string, Tensor> Extra { get; }

        /// <summary>
        /// The other top-level fields that hold no number (a string, an object, true or false, null) by name, with what they
        /// hold: one named as a cell's param is a value that cannot be the param's, not a note to pass over.
        /// </summary>
        public IReadOnlyDictionary<string, string> NotNumbers { get; }

        /// <summary>The top-level fields that hold true or false, by name: a bool param's value (they are in <see cref="NotNumbers"/> too).</summary>
        public IReadOnlyDictionary<string, bool> Booleans { get; }

        /// <summary>The top-level fields of the layout itself, which are not a cell's params whatever they hold.</summary>
        public static readonly IReadOnlyCollection<string> LayoutFields = new[] { "cell", "dims", "loss", "params", "inputs", "outputs", "grads" };

        private CellReference(string displayPath, string cell, Dictionary<string, Tensor> ps, Dictionary<string, Tensor> inputs,
            Dictionary<string, Tensor> outputs, double loss, Dictionary<string, Tensor> grads, Dictionary<string, Tensor> extra, Dictionary<string, string> notNumbers, Dictionary<string, bool> booleans)
        {
            NotNumbers = notNumbers;
            Booleans = booleans;
            DisplayPath = displayPath;
            Cell = cell;
            Params = ps;
            Inputs = inputs;
            Outputs = outputs;
            Loss = loss;
            Grads = grads;
            Extra = extra;
        }

        /// <summary>Reads a reference file; a <see cref="CellReferenceException"/> naming the file and the problem when it cannot.</summary>
        public static CellReference Load(string path, string displayPath)
        {
            // Reading a folder fails with 'Access to the path is denied', which sends the user looking at permissions.
            if (Directory.Exists(path)) throw new CellReferenceException(displayPath + ": is a folder, not a file");
            byte[] bytes;
            try { bytes = File.ReadAllBytes(path); }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new CellReferenceException(displayPath + ": file not found", ex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                throw new CellReferenceException(displayPath + ": cannot read: " + ex.Message, ex);
            }
            return Parse(bytes, displayPath);
        }

        public static CellReference Parse(byte[] json, string displayPath)
        {
            // A UTF-8 byte-order mark, as every other input file may begin with (the reader of bytes does not skip it).
            var text = json.AsMemory();
            if (text.Span.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF })) text = text.Slice(3);
            JsonDocument doc;
            try { doc = JsonDocument.Parse(text); }
            catch (JsonException ex) { throw new CellReferenceException(displayPath + ": " + JsonFields.NotValid(ex), ex); }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new CellReferenceException(displayPath + ": expected a JSON object");
                string cell = root.TryGetProperty("cell", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : throw Missing(displayPath, "cell");
                var ps = Tensors(root, "params", displayPath);
                var inputs = Tensors(root, "inputs", displayPath);
                var outputsAll = Object(root, "outputs", displayPath);
                var grads = Tensors(root, "grads", displayPath);
                if (!outputsAll.TryGetProperty("loss", out var lossElement) || lossElement.ValueKind != JsonValueKind.Number)
                    throw new CellReferenceException(displayPath + ": 'outputs.loss' is missing or not a number");
                var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (var p in outputsAll.EnumerateObject())
                    if (p.Name != "loss") outputs[p.Name] = ReadTensor(p.Value, displayPath, "outputs." + p.Name);
                var extra = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                var notNumbers = new Dictionary<string, string>(StringComparer.Ordinal);
                var booleans = new Dictionary<string, bool>(StringComparer.Ordinal);
                foreach (var p in root.EnumerateObject())
                {
                    if (p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False && !LayoutFields.Contains(p.Name)) booleans[p.Name] = p.Value.GetBoolean();
                    if (p.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Number) extra[p.Name] = ReadTensor(p.Value, displayPath, p.Name);
                    else if (!LayoutFields.Contains(p.Name)) notNumbers[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => "a string",
                        JsonValueKind.Object => "an object",
                        JsonValueKind.True or JsonValueKind.False => "a boolean",
                        _ => "null",
                    };
                }
                return new CellReference(displayPath, cell, ps, inputs, outputs, lossElement.GetDouble(), grads, extra, notNumbers, booleans);
            }
        }

        private static CellReferenceException Missing(string file, string field) => new(file + ": '" + field + "' is missing");

        private static JsonElement Object(JsonElement root, string name, string file)
            => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Object ? e : throw Missing(file, name);

        private static Dictionary<string, Tensor> Tensors(JsonElement root, string name, string file)
        {
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var p in Object(root, name, file).EnumerateObject()) result[p.Name] = ReadTensor(p.Value, file, name + "." + p.Name);
            return result;
        }

        private static Tensor ReadTensor(JsonElement e, string file, string field)
        {
            var shape = new List<int>();
            var probe = e;
            while (probe.ValueKind == JsonValueKind.Array)
            {
                shape.Add(probe.GetArrayLength());
                if (probe.GetArrayLength() == 0) break;
                probe = probe[0];
            }
            var values = new List<double>();
            void Walk(JsonElement x, int depth)
            {
                if (depth == shape.Count)
                {
                    if (x.ValueKind != JsonValueKind.Number) throw new CellReferenceException(file + ": '" + field + "' holds a " + x.ValueKind.ToString().ToLowerInvariant() + " where a number belongs");
                    values.Add(x.GetDouble());
                    return;
                }
                if (x.ValueKind != JsonValueKind.Array || x.GetArrayLength() != shape[depth])
                    throw new CellReferenceException(file + ": '" + field + "' is not a rectangular array of shape [" + string.Join(", ", shape) + "]");
                foreach (var item in x.EnumerateArray()) Walk(item, depth + 1);
            }
            Walk(e, 0);
            return new Tensor(values.ToArray(), shape.ToArray());
        }
    }

    /// <summary>A reference file that does not fit the cell: missing, malformed, a missing or extra parameter, a shape that differs. One line naming the file.</summary>
    public sealed class CellReferenceException : Exception
    {
        public CellReferenceException() { }
        public CellReferenceException(string message) : base(message) { }
        public CellReferenceException(string message, Exception innerException) : base(message, innerException) { }
    }
}
