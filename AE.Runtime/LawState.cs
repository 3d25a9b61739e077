using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
namespace AE.Runtime
{
    /// <summary>
    /// A law's or a population's whole state as bytes: every instance field of its class and its bases (for a
    /// generated law: coefficients, signals, EMA and latch slots, state vectors in both precisions, the step count,
    /// the seed, the params, the enabled rules; for a generated population the same as blocks of controllers
    /// (<c>Vector256&lt;double&gt;</c> arrays), its controller count and step count; for a hand-written baseline: its
    /// moments and counters), by name, in ordinal order of the names. Fields typed <see cref="object"/> are the SIMD
    /// passes' cached jobs (scratch, rebuilt on the next step) and are left out, and so are strings (names fixed by
    /// the type) and fields marked <see cref="RunSettingAttribute"/>: a generated law's run-time settings
    /// (<c>Kernel</c>, <c>MaxThreads</c>), which say how to run, not what was run, so an instance keeps its own
    /// through a load. The random stream of a generated law is counter-based (its seed and the step count), so its
    /// position is part of what is saved. Read back into an instance of the same type and dimension (and controller
    /// count: read-only Int32 fields are such sizes, and must agree), the following steps are bit for bit those of
    /// the instance that was saved.
    /// <para>
    /// The bytes (format version <see cref="Version"/>): the string <c>"AE.LawState"</c>, the version as an
    /// Int32, the type's full name, the 32 bytes of its <see cref="LayoutHash"/>, the field count, then each
    /// field's name and value (a type code, then the value or the array's length and elements), all little-endian
    /// through <see cref="BinaryWriter"/>, and last the SHA-256 of every byte before it. Reading checks the mark, the
    /// version, the name and the hash before it reads a value, reads every value and the checksum before it changes
    /// one, and reports a foreign, truncated, old or damaged state as an <see cref="InvalidDataException"/> with a
    /// one-line message; the instance is then left as it was.
    /// </para>
    /// </summary>
    public static class LawState
    {
        /// <summary>The format version this build writes and reads.</summary>
        /// <remarks>3 added the checksum at the end, and the members of each enum field's type (a law's rule switches) to the layout hash.</remarks>
        public const int Version = 3;

        const string Magic = "AE.LawState";

        /// <summary>How version 1 began: the mark and its version in one string, no hash.</summary>
        const string MagicVersion1 = "AE.LawState/1";

        /// <summary>Writes <paramref name="law"/>'s state.</summary>
        /// <exception cref="NotSupportedException">the law has a field of a type this format does not carry</exception>
        public static void Write(IOptimizerLaw law, BinaryWriter writer) => WriteState(law, writer);

        /// <summary>Writes <paramref name="population"/>'s state: every controller's.</summary>
        /// <exception cref="NotSupportedException">the population has a field of a type this format does not carry</exception>
        public static void Write(IOptimizerPopulation population, BinaryWriter writer) => WriteState(population, writer);

        /// <summary>Reads a state written by <see cref="Write(IOptimizerLaw, BinaryWriter)"/> into <paramref name="law"/>, which must be of the same type and dimension.</summary>
        /// <exception cref="InvalidDataException">not a law state, another law's, another dimension's, of another format version, or truncated</exception>
        public static void Read(IOptimizerLaw law, BinaryReader reader) => ReadState(law, reader);

        /// <summary>
        /// Reads a state written by <see cref="Write(IOptimizerLaw, BinaryWriter)"/> into <paramref name="law"/>, which steps in
        /// <typeparamref name="T"/> (float or double; an optimizer over float32 or float64 parameters): a state of a generated law
        /// that stepped in the other precision is refused, since every following step would throw.
        /// </summary>
        /// <exception cref="InvalidDataException">as <see cref="Read(IOptimizerLaw, BinaryReader)"/>, or a state stepped in the other precision</exception>
        public static void Read<T>(IOptimizerLaw law, BinaryReader reader) where T : unmanaged => ReadState(law, reader, Simd.AeSimd.Precision<T>());

        /// <summary>Reads a state saved by <see cref="Save(IOptimizerLaw)"/> into <paramref name="law"/>, which steps in <typeparamref name="T"/> (<see cref="Read{T}(IOptimizerLaw, BinaryReader)"/>).</summary>
        public static void Load<T>(IOptimizerLaw law, byte[] state) where T : unmanaged => LoadState(law, state, Simd.AeSimd.Precision<T>());

        /// <summary>Reads a state written by <see cref="Write(IOptimizerPopulation, BinaryWriter)"/> into <paramref name="population"/>, which must be of the same type, dimension and controller count.</summary>
        /// <exception cref="InvalidDataException">not a state, another law's population's, another size's, of another format version, or truncated</exception>
        public static void Read(IOptimizerPopulation population, BinaryReader reader) => ReadState(population, reader);

        /// <summary>The state as a byte array.</summary>
        public static byte[] Save(IOptimizerLaw law) => SaveState(law);

        /// <summary>The population's state as a byte array.</summary>
        public static byte[] Save(IOptimizerPopulation population) => SaveState(population);

        /// <summary>Reads a state saved by <see cref="Save(IOptimizerLaw)"/> into <paramref name="law"/>; bytes after its end are an error too.</summary>
        public static void Load(IOptimizerLaw law, byte[] state) => LoadState(law, state);

        /// <summary>Reads a state saved by <see cref="Save(IOptimizerPopulation)"/> into <paramref name="population"/>; bytes after its end are an error too.</summary>
        public static void Load(IOptimizerPopulation population, byte[] state) => LoadState(population, state);

        /// <summary>
        /// SHA-256 of the UTF-8 text: the type's full name and a line feed, then for each field of the state, in the
        /// order they are written (ordinal order of the names), its name, a space, its type's name (namespace, name
        /// and generic arguments, no assembly), for an enum its members as <c> {A=1,B=2}</c> in the order of their
        /// values, and a line feed. It identifies the class and its state layout, not the code of its step: two builds
        /// of a law whose fields are the same have the same hash (a checkpoint records the law file's own hash for
        /// that). The enum's members are in it because a generated law's rule switches are one flags value: a rule
        /// inserted before others moves their bits, and a state saved before would switch the wrong rules.
        /// </summary>
        public static byte[] LayoutHash(Type type)
        {
            ArgumentNullException.ThrowIfNull(type);
            var text = new StringBuilder();
            text.Append(type.FullName ?? type.Name).Append('\n');
            foreach (var f in Fields(type))
            {
                text.Append(f.Name).Append(' ').Append(TypeName(f.FieldType));
                if (f.FieldType.IsEnum) text.Append(" {").Append(EnumMembers(f.FieldType)).Append('}');
                text.Append('\n');
            }
            return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        }

        /// <summary>An enum's members as <c>A=1,B=2</c>, in the order of their values (then of their names).</summary>
        static string EnumMembers(Type type)
        {
            var names = Enum.GetNames(type);
            var values = Enum.GetValuesAsUnderlyingType(type);   // in the order of the names
            return string.Join(",", names
                .Select((n, i) => (Name: n, Value: Convert.ToDecimal(values.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)))
                .OrderBy(m => m.Value).ThenBy(m => m.Name, StringComparer.Ordinal)
                .Select(m => m.Name + "=" + m.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        static void WriteState(object owner, BinaryWriter writer)
        {
            ArgumentNullException.ThrowIfNull(owner);
            ArgumentNullException.ThrowIfNull(writer);
            var type = owner.GetType();
            var fields = Fields(type);
            // Written through a stream that hashes what passes, straight to the caller's: a state is not held twice, nor
            // bounded by a MemoryStream's 2 GiB.
            writer.Flush();
            using var hashing = new HashingStream(writer.BaseStream);
            using (var w = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                w.Write(Version);
                w.Write(type.FullName ?? type.Name);
                w.Write(LayoutHash(type));
                w.Write(fields.Count);
                foreach (var f in fields)
                {
                    w.Write(f.Name);
                    WriteValue(w, f.FieldType, f.GetValue(owner), type.Name + "." + f.Name);
                }
            }
            writer.Write(hashing.Hash());
        }

        /// <param name="precision">the precision the owner steps in (<see cref="Simd.AeSimd.Precision{T}"/>), or 0: whichever the state was stepped in</param>
        static void ReadState(object owner, BinaryReader reader, int precision = 0, bool whole = false)
        {
            ArgumentNullException.ThrowIfNull(owner);
            ArgumentNullException.ThrowIfNull(reader);
            var type = owner.GetType();
            try
            {
                // The checksum covers every byte read before it: read through a stream that hashes what passes.
                using var hashing = new HashingStream(reader.BaseStream);
                using var through = new BinaryReader(hashing, Encoding.UTF8, leaveOpen: true);
                ReadChecked(owner, type, through, hashing, precision, whole);
            }
            catch (EndOfStreamException ex)
            {
                throw new InvalidDataException("the state of " + type.Name + " is truncated", ex);
            }
            catch (Exception ex) when (ex is FormatException or DecoderFallbackException or OverflowException)
            {
                throw new InvalidDataException("the state of " + type.Name + " is damaged: " + ex.Message.Split('\n')[0].TrimEnd('\r'), ex);
            }
        }

        /// <summary>The mark as <see cref="BinaryWriter.Write(string)"/> wrote it (one length byte, ASCII), read without trusting a foreign length.</summary>
        static string ReadMagic(BinaryReader reader)
        {
            int length = reader.ReadByte();
            if (length != Magic.Length && length != MagicVersion1.Length) throw new InvalidDataException("not an AE law state");
            var bytes = reader.ReadBytes(length);
            string text = Encoding.ASCII.GetString(bytes);
            if (text == Magic || text == MagicVersion1) return text;
            if (bytes.Length < length && (Magic.StartsWith(text, StringComparison.Ordinal) || MagicVersion1.StartsWith(text, StringComparison.Ordinal)))
                throw new EndOfStreamException();
            throw new InvalidDataException("not an AE law state");
        }

        static void ReadChecked(object owner, Type type, BinaryReader reader, HashingStream hashing, int precision, bool whole)
        {
            string magic = ReadMagic(reader);
            if (magic == MagicVersion1)
                throw new InvalidDataException($"the state is of format version 1, which this build (version {Version}) does not read: resume it with the build that saved it, or start again");
            int version = reader.ReadInt32();
            if (version is > 0 and < Version)
                throw new InvalidDataException($"the state is of format version {version}, which this build (version {Version}) does not read: resume it with the build that saved it, or start again");
            if (version != Version) throw new InvalidDataException($"the state is of format version {version}; this build reads version {Version}");
            var name = reader.ReadString();
            if (name != (type.FullName ?? type.Name))
                throw new InvalidDataException($"the state is of {Printable(name)}, not of {type.FullName}");
            var hash = reader.ReadBytes(32);
            if (hash.Length != 32) throw new EndOfStreamException();
            if (!hash.AsSpan().SequenceEqual(LayoutHash(type)))
                throw new InvalidDataException($"the state of {type.Name} has another layout (its fields or their types differ from this build's)");
            var fields = Fields(type);
            int count = reader.ReadInt32();
            if (count != fields.Count)
                throw new InvalidDataException($"the state of {type.Name} has {count} fields, the type {fields.Count}");
            // Read everything first, so a bad state leaves the instance as it was.
            var values = new object?[count];
            for (int i = 0; i < count; i++)
            {
                var fieldName = reader.ReadString();
                if (fieldName != fields[i].Name)
                    throw new InvalidDataException($"the state of {type.Name} is damaged: it has field {Printable(fieldName)} where the type has {Printable(fields[i].Name)}");
                values[i] = ReadValue(reader, fields[i].FieldType, type.Name + "." + Shown(fieldName));
            }
            var sum = hashing.Hash();
            var stored = hashing.ReadUnhashed(32);
            if (stored.Length != 32) throw new EndOfStreamException();
            if (!stored.AsSpan().SequenceEqual(sum))
                throw new InvalidDataException($"the state of {type.Name} is damaged: its checksum does not match its bytes");
            if (whole && reader.BaseStream.Position != reader.BaseStream.Length)
                throw new InvalidDataException($"the state of {type.Name} has {reader.BaseStream.Length - reader.BaseStream.Position} bytes after its end");
            for (int i = 0; i < count; i++)
                if (fields[i].GetValue(owner) is Array current && values[i] is Array saved && current.GetType() == saved.GetType() && current.Length != saved.Length)
                    throw new InvalidDataException($"the state of {type.Name} is of another dimension ({Shown(fields[i].Name)}: {saved.Length} values, this instance's {current.Length})");
            for (int i = 0; i < count; i++)
                if (IsSize(fields[i]) && !Equals(fields[i].GetValue(owner), values[i]))
                    throw new InvalidDataException($"the state of {type.Name} is of another size ({Shown(fields[i].Name)}: {values[i]}, this instance's {fields[i].GetValue(owner)})");
            CheckPrecision(type, fields, values, precision);
            for (int i = 0; i < count; i++)
            {
                if (fields[i].GetValue(owner) is Array current && values[i] is Array saved && current.GetType() == saved.GetType())
                    Array.Copy(saved, current, saved.Length);   // in place: the instance may hold the array elsewhere
                else
                    fields[i].SetValue(owner, values[i]);
            }
        }

        /// <summary>
        /// A field as the user knows it: a property's backing field by the property (<c>&lt;n&gt;k__BackingField</c> is n), a
        /// generated law's state vector by the state (<c>__st_m_f64</c> is m), a population's controller count as such.
        /// </summary>
        static string Shown(string field)
        {
            if (field.StartsWith('<') && field.EndsWith(">k__BackingField", StringComparison.Ordinal)) return field[1..^">k__BackingField".Length];
            if (field.StartsWith("__st_", StringComparison.Ordinal) && (field.EndsWith("_f64", StringComparison.Ordinal) || field.EndsWith("_f32", StringComparison.Ordinal)))
                return field["__st_".Length..^"_f64".Length];
            return field == "__count" ? "the controller count" : field;
        }

        /// <summary>A name read from a state, fit for a one-line message: control and other invisible characters as \uXXXX, and at most 80 of them.</summary>
        static string Printable(string name)
        {
            var text = new StringBuilder();
            foreach (char c in name.Length > 80 ? name[..80] : name)
            {
                var category = char.GetUnicodeCategory(c);
                if (char.IsControl(c) || category is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Surrogate
                    or System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator
                    || c == '\uFFFD')
                    text.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                else text.Append(c);
            }
            return text + (name.Length > 80 ? "..." : "");
        }

        /// <summary>
        /// A stream over another that hashes every byte read or written through it (<see cref="Hash"/>); the checksum at the
        /// end is read past the hash (<see cref="ReadUnhashed"/>). It forwards the position and length, so the size checks
        /// of a seekable stream still hold, and never closes the stream it reads or writes.
        /// </summary>
        sealed class HashingStream : Stream
        {
            readonly Stream _inner;
            readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

            public HashingStream(Stream inner) => _inner = inner;

            public byte[] Hash() => _hash.GetHashAndReset();

            public byte[] ReadUnhashed(int count)
            {
                var bytes = new byte[count];
                int read = _inner.ReadAtLeast(bytes, count, throwOnEndOfStream: false);
                return read == count ? bytes : bytes[..read];
            }

            public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

            public override int Read(Span<byte> buffer)
            {
                int read = _inner.Read(buffer);
                _hash.AppendData(buffer[..read]);
                return read;
            }

            public override int ReadByte()
            {
                int b = _inner.ReadByte();
                if (b >= 0) _hash.AppendData(stackalloc byte[] { (byte)b });
                return b;
            }

            public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

            public override void Write(ReadOnlySpan<byte> buffer)
            {
                _inner.Write(buffer);
                _hash.AppendData(buffer);
            }

            public override void WriteByte(byte value)
            {
                _inner.WriteByte(value);
                _hash.AppendData(stackalloc byte[] { value });
            }

            public override bool CanRead => _inner.CanRead;
            public override bool CanSeek => _inner.CanSeek;
            public override bool CanWrite => _inner.CanWrite;
            public override long Length => _inner.Length;
            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
            public override void Flush() => _inner.Flush();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing) _hash.Dispose();
                base.Dispose(disposing);
            }
        }

        /// <summary>The generated law's field that records the precision its steps took (<see cref="Simd.AeSimd.Precision{T}"/>; 0 before the first).</summary>
        const string PrecisionField = "__precision";

        /// <summary>A state stepped in one precision cannot go on in the other: the generated step refuses it (CheckPrecision), so the load does.</summary>
        static void CheckPrecision(Type type, List<FieldInfo> fields, object?[] values, int precision)
        {
            if (precision == 0) return;
            int index = fields.FindIndex(f => f.Name == PrecisionField && f.FieldType == typeof(int));
            if (index < 0 || values[index] is not int saved || saved == 0 || saved == precision) return;
            throw new InvalidDataException($"the state of {type.Name} was stepped in {PrecisionName(saved)} and cannot load into one that steps in {PrecisionName(precision)}");
        }

        static string PrecisionName(int precision) => precision == Simd.AeSimd.Precision<float>() ? "float32" : "float64";

        /// <summary>A read-only Int32 field is a size fixed at construction (a dimension, a controller count): it must agree, not be restored.</summary>
        static bool IsSize(FieldInfo field) => field.IsInitOnly && field.FieldType == typeof(int);

        static byte[] SaveState(object owner)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream)) WriteState(owner, writer);
            return stream.ToArray();
        }

        static void LoadState(object owner, byte[] state, int precision = 0)
        {
            ArgumentNullException.ThrowIfNull(state);
            using var stream = new MemoryStream(state, writable: false);
            using var reader = new BinaryReader(stream);
            ReadState(owner, reader, precision, whole: true);
        }

        static bool IsRunSetting(FieldInfo field) => field.IsDefined(typeof(RunSettingAttribute), inherit: false);

        static List<FieldInfo> Fields(Type type)
        {
            var result = new List<FieldInfo>();
            for (var t = type; t != null && t != typeof(object); t = t.BaseType)
                foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (f.FieldType != typeof(object) && f.FieldType != typeof(string) && f.FieldType != typeof(string[]) && !IsRunSetting(f)) result.Add(f);
            result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        }

        /// <summary>A type's name without its assembly: namespace, name, and generic arguments the same way.</summary>
        static string TypeName(Type type)
        {
            if (type.IsArray) return TypeName(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
            string name = type.IsNested ? TypeName(type.DeclaringType!) + "+" + type.Name
                : (type.Namespace is { Length: > 0 } ns ? ns + "." : "") + type.Name;
            return type.IsGenericType ? name + "[" + string.Join(",", type.GetGenericArguments().Select(TypeName)) + "]" : name;
        }

        enum Code : byte { Null, Double, Single, Int64, Int32, UInt64, UInt32, Boolean, DoubleArray, SingleArray, Int64Array, Int32Array, Vector256DoubleArray }

        static void WriteValue(BinaryWriter w, Type type, object? value, string where)
        {
            if (type.IsEnum)
            {
                type = Enum.GetUnderlyingType(type);
                value = value is null ? null : Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
            }
            switch (value)
            {
                case null: w.Write((byte)Code.Null); break;
                case double d: w.Write((byte)Code.Double); w.Write(d); break;
                case float f: w.Write((byte)Code.Single); w.Write(f); break;
                case long l: w.Write((byte)Code.Int64); w.Write(l); break;
                case int i: w.Write((byte)Code.Int32); w.Write(i); break;
                case ulong u: w.Write((byte)Code.UInt64); w.Write(u); break;
                case uint u: w.Write((byte)Code.UInt32); w.Write(u); break;
                case bool b: w.Write((byte)Code.Boolean); w.Write(b); break;
                case double[] a: w.Write((byte)Code.DoubleArray); w.Write(a.Length); foreach (var x in a) w.Write(x); break;
                case float[] a: w.Write((byte)Code.SingleArray); w.Write(a.Length); foreach (var x in a) w.Write(x); break;
                case long[] a: w.Write((byte)Code.Int64Array); w.Write(a.Length); foreach (var x in a) w.Write(x); break;
                case int[] a: w.Write((byte)Code.Int32Array); w.Write(a.Length); foreach (var x in a) w.Write(x); break;
                case Vector256<double>[] a:
                    w.Write((byte)Code.Vector256DoubleArray);
                    w.Write(a.Length);
                    foreach (var x in MemoryMarshal.Cast<Vector256<double>, double>(a)) w.Write(x);
                    break;
                default: throw new NotSupportedException($"{where}: a field of type {value.GetType().Name} is not part of a state this format carries");
            }
        }

        static object? ReadValue(BinaryReader r, Type type, string where)
        {
            var code = (Code)r.ReadByte();
            object? value = code switch
            {
                Code.Null => null,
                Code.Double => r.ReadDouble(),
                Code.Single => r.ReadSingle(),
                Code.Int64 => r.ReadInt64(),
                Code.Int32 => r.ReadInt32(),
                Code.UInt64 => r.ReadUInt64(),
                Code.UInt32 => r.ReadUInt32(),
                Code.Boolean => r.ReadBoolean(),
                Code.DoubleArray => ReadArray(r, 8, br => br.ReadDouble()),
                Code.SingleArray => ReadArray(r, 4, br => br.ReadSingle()),
                Code.Int64Array => ReadArray(r, 8, br => br.ReadInt64()),
                Code.Int32Array => ReadArray(r, 4, br => br.ReadInt32()),
                Code.Vector256DoubleArray => ReadVectors(r),
                _ => throw new InvalidDataException($"{where}: unknown value code {(byte)code}"),
            };
            if (type.IsEnum && value is not null)
                return Enum.ToObject(type, value);
            if (value is not null && !type.IsAssignableFrom(value.GetType()))
                throw new InvalidDataException($"{where}: the state holds a {value.GetType().Name}, the type a {type.Name}");
            if (value is null && type.IsValueType)
                throw new InvalidDataException($"{where}: the state holds no value for a {type.Name}");
            return value;
        }

        /// <summary>
        /// An array's length. A seekable stream shows at once whether the values can be there; from a stream that cannot
        /// seek (a pipe, a GZipStream) a damaged length is found by reading, so the array then grows as values arrive
        /// (<see cref="Collect{T}"/>) rather than being allocated whole.
        /// </summary>
        static int ArrayLength(BinaryReader r, int elementSize)
        {
            int length = r.ReadInt32();
            if (length < 0) throw new InvalidDataException($"bad array length {length}");
            if (r.BaseStream.CanSeek && (long)length * elementSize > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
            return length;
        }

        /// <summary>Values that fit what has been read so far are allocated at once; beyond that, in blocks as they are read.</summary>
        const int UncheckedBlock = 1 << 16;

        static T[] Collect<T>(BinaryReader r, int length, Func<BinaryReader, T> read)
        {
            if (r.BaseStream.CanSeek || length <= UncheckedBlock)
            {
                var a = new T[length];
                for (int i = 0; i < a.Length; i++) a[i] = read(r);
                return a;
            }
            var list = new List<T>(UncheckedBlock);
            for (int i = 0; i < length; i++) list.Add(read(r));
            return list.ToArray();
        }

        static T[] ReadArray<T>(BinaryReader r, int elementSize, Func<BinaryReader, T> read) => Collect(r, ArrayLength(r, elementSize), read);

        static Vector256<double>[] ReadVectors(BinaryReader r)
        {
            int length = ArrayLength(r, 8 * Vector256<double>.Count);
            var lanes = Collect(r, checked(length * Vector256<double>.Count), rr => rr.ReadDouble());
            return MemoryMarshal.Cast<double, Vector256<double>>(lanes.AsSpan()).ToArray();
        }
    }
}
