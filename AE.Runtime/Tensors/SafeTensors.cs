using System;
using System.Buffers.Binary;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace AE.Runtime.Tensors
{
    /// <summary>The element types of a safetensors file that are read (all four) and written (F64, F32).</summary>
    public enum SafeTensorDType
    {
        F64,
        F32,
        F16,
        BF16,
    }

    /// <summary>
    /// A dense tensor: a shape (row-major, PyTorch's order; an empty shape is a scalar) and its values, held
    /// either as float64 (<see cref="Float64"/>) or as float32 (<see cref="Float32"/>). <see cref="DType"/> is
    /// the type it had in the file it was read from (F16 and BF16 are held as float32, exactly) or will have
    /// in the file it is written to.
    /// </summary>
    public sealed class SafeTensor
    {
        private readonly int[] _shape;

        private SafeTensor(int[] shape, SafeTensorDType dtype, double[]? f64, float[]? f32)
        {
            _shape = shape;
            DType = dtype;
            Float64 = f64;
            Float32 = f32;
        }

        /// <summary>A float64 tensor (written as F64).</summary>
        public static SafeTensor FromDoubles(IReadOnlyList<int> shape, double[] values)
        {
            var s = CheckShape(shape, values?.Length ?? throw new ArgumentNullException(nameof(values)));
            return new SafeTensor(s, SafeTensorDType.F64, values, null);
        }

        /// <summary>A float32 tensor (written as F32).</summary>
        public static SafeTensor FromSingles(IReadOnlyList<int> shape, float[] values)
        {
            var s = CheckShape(shape, values?.Length ?? throw new ArgumentNullException(nameof(values)));
            return new SafeTensor(s, SafeTensorDType.F32, null, values);
        }

        internal static SafeTensor Read(int[] shape, SafeTensorDType dtype, double[]? f64, float[]? f32) => new(shape, dtype, f64, f32);

        public IReadOnlyList<int> Shape => _shape;

        public SafeTensorDType DType { get; }

        /// <summary>The values when held as float64 (F64), else null.</summary>
        public double[]? Float64 { get; }

        /// <summary>The values when held as float32 (F32, F16, BF16), else null.</summary>
        public float[]? Float32 { get; }

        public int Count => Float64?.Length ?? Float32!.Length;

        /// <summary>The values as float64 (a float32 value widens exactly); a copy.</summary>
        public double[] ToDoubles()
        {
            if (Float64 != null) return (double[])Float64.Clone();
            var r = new double[Float32!.Length];
            for (int i = 0; i < r.Length; i++) r[i] = Float32[i];
            return r;
        }

        public string ShapeText => "[" + string.Join(", ", _shape) + "]";

        private static int[] CheckShape(IReadOnlyList<int> shape, int count)
        {
            if (shape is null) throw new ArgumentNullException(nameof(shape));
            long product = 1;
            foreach (var d in shape)
            {
                if (d < 0) throw new ArgumentException("a dimension of the shape is negative: [" + string.Join(", ", shape) + "]", nameof(shape));
                product *= d;
            }
            if (product != count)
                throw new ArgumentException("the shape [" + string.Join(", ", shape) + "] holds " + product + " values, not " + count, nameof(shape));
            return shape.ToArray();
        }
    }

    /// <summary>A named set of tensors in insertion order, with the file's free-form string metadata.</summary>
    public sealed class SafeTensorSet : IEnumerable<KeyValuePair<string, SafeTensor>>
    {
        private readonly List<string> _order = new();
        private readonly Dictionary<string, SafeTensor> _tensors = new(StringComparer.Ordinal);

        /// <summary>The <c>__metadata__</c> of the header: string keys and values.</summary>
        public IDictionary<string, string> Metadata { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        public int Count => _order.Count;

        public IReadOnlyList<string> Names => _order;

        public SafeTensor this[string name] => _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException("no tensor '" + name + "' in the set");

        public bool TryGetValue(string name, out SafeTensor tensor) => _tensors.TryGetValue(name, out tensor!);

        /// <summary>Adds a tensor; a name already present, empty, or <c>__metadata__</c> is an <see cref="ArgumentException"/>.</summary>
        public void Add(string name, SafeTensor tensor)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("a tensor needs a name", nameof(name));
            if (name == SafeTensors.MetadataKey) throw new ArgumentException("'" + SafeTensors.MetadataKey + "' is the header's metadata, not a tensor name", nameof(name));
            if (tensor is null) throw new ArgumentNullException(nameof(tensor));
            if (_tensors.ContainsKey(name)) throw new ArgumentException("the set already has a tensor '" + name + "'", nameof(name));
            _tensors[name] = tensor;
            _order.Add(name);
        }

        public IEnumerator<KeyValuePair<string, SafeTensor>> GetEnumerator()
        {
            foreach (var n in _order) yield return new KeyValuePair<string, SafeTensor>(n, _tensors[n]);
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A safetensors file that cannot be read or written: <see cref="Exception.Message"/> is one line naming the file and what is wrong.</summary>
    public sealed class SafeTensorsException : Exception
    {
        public SafeTensorsException() { }

        public SafeTensorsException(string message) : base(message) { }

        public SafeTensorsException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary>
    /// The safetensors format (what PyTorch's and TorchSharp's tooling write): an 8-byte little-endian
    /// header length N, N bytes of a UTF-8 JSON object <c>{name: {"dtype", "shape", "data_offsets": [begin,
    /// end]}, "__metadata__": {string: string}}</c> (padded with spaces), then the data, little-endian,
    /// row-major, offsets relative to the first byte after the header. F64 and F32 are read and written; F16
    /// and BF16 are read (into float32, exactly). As the format requires, the tensors' byte ranges must lie
    /// inside the data, must not overlap and must cover it without a gap.
    /// </summary>
    public static class SafeTensors
    {
        public const string MetadataKey = "__metadata__";

        /// <summary>The format's own limit on the header's size (100 MB).</summary>
        public const long MaxHeaderBytes = 100_000_000;

        /// <summary>Reads a file; a <see cref="SafeTensorsException"/> naming it when it is missing or malformed.</summary>
        public static SafeTensorSet Read(string path)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            byte[] bytes;
            try { bytes = File.ReadAllBytes(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException or NotSupportedException)
            {
                throw new SafeTensorsException(path + ": cannot read the file: " + ex.Message, ex);
            }
            return Read(bytes, path);
        }

        /// <summary>Reads the bytes of a file; <paramref name="displayName"/> names it in errors.</summary>
        public static SafeTensorSet Read(ReadOnlySpan<byte> bytes, string displayName)
        {
            SafeTensorsException Bad(string what) => new(displayName + ": " + what);
            if (bytes.Length < 8) throw Bad("truncated: " + bytes.Length + " bytes, fewer than the 8 of the header length");
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            // Another file (an .ae file, a JSON file, a checkpoint) read as one gives an absurd header length; a safetensors file
            // cut short gives a plausible one, with its JSON header's '{' right after it.
            const string NotOne = "not a safetensors file (one begins with the 8-byte length of its JSON header, then the header)";
            if (n > MaxHeaderBytes) throw Bad(NotOne + ": its first 8 bytes give a header of " + n + " bytes, over the format's limit of " + MaxHeaderBytes);
            if ((ulong)(bytes.Length - 8) < n)
                throw Bad(bytes.Length > 8 && bytes[8] != (byte)'{' ? NotOne : "truncated: the header is " + n + " bytes but only " + (bytes.Length - 8) + " follow the length");
            var header = bytes.Slice(8, (int)n);
            var data = bytes.Slice(8 + (int)n);

            JsonDocument doc;
            try { doc = JsonDocument.Parse(header.ToArray()); }
            catch (JsonException ex) { throw Bad("the header is not JSON" + (ex.BytePositionInLine is long at ? " at byte " + (at + 1) : "") + ": " + ex.Message.Split(" LineNumber:")[0].Split('\n')[0].TrimEnd().TrimEnd('.')); }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("the header is not a JSON object");
                var set = new SafeTensorSet();
                var entries = new List<(string Name, SafeTensorDType DType, int[] Shape, long Begin, long End)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (!seen.Add(p.Name)) throw Bad("the header names '" + p.Name + "' twice");
                    if (p.Name == MetadataKey)
                    {
                        if (p.Value.ValueKind != JsonValueKind.Object) throw Bad("'" + MetadataKey + "' is not an object of strings");
                        foreach (var m in p.Value.EnumerateObject())
                        {
                            if (m.Value.ValueKind != JsonValueKind.String) throw Bad("'" + MetadataKey + "." + m.Name + "' is not a string");
                            set.Metadata[m.Name] = m.Value.GetString()!;
                        }
                        continue;
                    }
                    entries.Add(Entry(p, data.Length, Bad));
                }
                // The byte ranges, in file order: inside the data, no overlap, no gap.
                long at = 0;
                foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
                {
                    if (e.Begin < at) throw Bad("tensor '" + e.Name + "' [" + e.Begin + ", " + e.End + ") overlaps another tensor's bytes (which end at " + at + ")");
                    if (e.Begin > at) throw Bad("bytes [" + at + ", " + e.Begin + ") of the data belong to no tensor (the format allows no gap)");
                    at = e.End;
                }
                if (at != data.Length) throw Bad("bytes [" + at + ", " + data.Length + ") of the data belong to no tensor (the format allows no gap)");
                foreach (var e in entries)
                {
                    var raw = data.Slice((int)e.Begin, (int)(e.End - e.Begin));
                    int count = (int)((e.End - e.Begin) / Size(e.DType));
                    SafeTensor t;
                    switch (e.DType)
                    {
                        case SafeTensorDType.F64:
                        {
                            var v = new double[count];
                            for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(8 * i));
                            t = SafeTensor.Read(e.Shape, e.DType, v, null);
                            break;
                        }
                        case SafeTensorDType.F32:
                        {
                            var v = new float[count];
                            for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(4 * i));
                            t = SafeTensor.Read(e.Shape, e.DType, null, v);
                            break;
                        }
                        case SafeTensorDType.F16:
                        {
                            var v = new float[count];
                            for (int i = 0; i < count; i++) v[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.Slice(2 * i));
                            t = SafeTensor.Read(e.Shape, e.DType, null, v);
                            break;
                        }
                        default:
                        {
                            // bfloat16 is the top half of a float32's bits.
                            var v = new float[count];
                            for (int i = 0; i < count; i++) v[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(2 * i)) << 16);
                            t = SafeTensor.Read(e.Shape, e.DType, null, v);
                            break;
                        }
                    }
                    set.Add(e.Name, t);
                }
                return set;
            }
        }

        private static (string Name, SafeTensorDType DType, int[] Shape, long Begin, long End) Entry(JsonProperty p, int dataLength, Func<string, SafeTensorsException> bad)
        {
            string name = p.Name;
            if (p.Value.ValueKind != JsonValueKind.Object) throw bad("tensor '" + name + "' is not an object with dtype, shape and data_offsets");
            if (!p.Value.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw bad("tensor '" + name + "' has no dtype");
            string dtype = dt.GetString()!;
            SafeTensorDType type = dtype switch
            {
                "F64" => SafeTensorDType.F64,
                "F32" => SafeTensorDType.F32,
                "F16" => SafeTensorDType.F16,
                "BF16" => SafeTensorDType.BF16,
                _ => throw bad("tensor '" + name + "' has dtype '" + dtype + "', which is not read (F64, F32, F16, BF16 are)"),
            };
            if (!p.Value.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw bad("tensor '" + name + "' has no shape");
            var shape = new List<int>();
            long count = 1;
            foreach (var d in sh.EnumerateArray())
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0) throw bad("tensor '" + name + "' has a shape that is not a list of whole numbers >= 0");
                shape.Add(v);
                count *= v;
                if (count > int.MaxValue) throw bad("tensor '" + name + "' has more than " + int.MaxValue + " values");
            }
            if (!p.Value.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
                throw bad("tensor '" + name + "' has no data_offsets [begin, end]");
            var o = off.EnumerateArray().ToArray();
            if (!o[0].TryGetInt64(out long begin) || !o[1].TryGetInt64(out long end) || begin < 0 || end < begin)
                throw bad("tensor '" + name + "' has data_offsets that are not whole numbers with 0 <= begin <= end");
            if (end > dataLength) throw bad("tensor '" + name + "' data_offsets [" + begin + ", " + end + "] run past the end of the data (" + dataLength + " bytes)");
            long need = count * Size(type);
            if (end - begin != need)
                throw bad("tensor '" + name + "' of shape [" + string.Join(", ", shape) + "] and dtype " + dtype + " needs " + need + " bytes, its data_offsets give " + (end - begin));
            return (name, type, shape.ToArray(), begin, end);
        }

        private static int Size(SafeTensorDType t) => t switch
        {
            SafeTensorDType.F64 => 8,
            SafeTensorDType.F32 => 4,
            _ => 2,
        };

        /// <summary>Writes the set: float64 tensors as F64, float32 ones as F32 (a tensor read as F16 or BF16 is written as F32).</summary>
        public static void Write(string path, SafeTensorSet set)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            var bytes = ToBytes(set);
            try { File.WriteAllBytes(path, bytes); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException or NotSupportedException)
            {
                throw new SafeTensorsException(path + ": cannot write the file: " + ex.Message, ex);
            }
        }

        /// <summary>
        /// The bytes of the file: the metadata first in the header, then the tensors in data order, F64 before F32
        /// and by name within each (so each tensor's data is aligned to its element size), the header padded with
        /// spaces to a multiple of 8 bytes.
        /// </summary>
        public static byte[] ToBytes(SafeTensorSet set)
        {
            if (set is null) throw new ArgumentNullException(nameof(set));
            var order = set.Names.OrderBy(n => set[n].Float64 != null ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal).ToList();
            using var headerStream = new MemoryStream();
            long offset = 0;
            using (var json = new Utf8JsonWriter(headerStream))
            {
                json.WriteStartObject();
                if (set.Metadata.Count > 0)
                {
                    json.WriteStartObject(MetadataKey);
                    foreach (var m in set.Metadata) json.WriteString(m.Key, m.Value);
                    json.WriteEndObject();
                }
                foreach (var name in order)
                {
                    var t = set[name];
                    long size = (long)t.Count * (t.Float64 != null ? 8 : 4);
                    json.WriteStartObject(name);
                    json.WriteString("dtype", t.Float64 != null ? "F64" : "F32");
                    json.WriteStartArray("shape");
                    foreach (var d in t.Shape) json.WriteNumberValue(d);
                    json.WriteEndArray();
                    json.WriteStartArray("data_offsets");
                    json.WriteNumberValue(offset);
                    json.WriteNumberValue(offset + size);
                    json.WriteEndArray();
                    json.WriteEndObject();
                    offset += size;
                }
                json.WriteEndObject();
            }
            int headerLength = (int)headerStream.Length;
            int padded = (headerLength + 7) / 8 * 8;
            var bytes = new byte[8 + padded + offset];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
            headerStream.ToArray().CopyTo(bytes, 8);
            for (int i = 8 + headerLength; i < 8 + padded; i++) bytes[i] = (byte)' ';
            var span = bytes.AsSpan(8 + padded);
            int at = 0;
            foreach (var name in order)
            {
                var t = set[name];
                if (t.Float64 != null)
                    foreach (var v in t.Float64) { BinaryPrimitives.WriteDoubleLittleEndian(span.Slice(at), v); at += 8; }
                else
                    foreach (var v in t.Float32!) { BinaryPrimitives.WriteSingleLittleEndian(span.Slice(at), v); at += 4; }
            }
            return bytes;
        }
    }
}
