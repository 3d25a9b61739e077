using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
namespace AE.Runtime
{
    /// <summary>
    /// A law's whole state as bytes: every instance field of the law's class and its bases (for a generated
    /// law: coefficients, signals, EMA and latch slots, state vectors in both precisions, the step count, the
    /// seed, the params, the enabled rules; for a hand-written baseline: its moments and counters), by name,
    /// in ordinal order of the names. Fields typed <see cref="object"/> are the SIMD passes' cached jobs
    /// (scratch, rebuilt on the next step) and are left out, and so are strings (names fixed by the type). Read back into a law of the same type and dimension, the following steps are
    /// bit for bit those of the law that was saved.
    /// </summary>
    public static class LawState
    {
        const string Magic = "AE.LawState/1";

        /// <summary>Writes <paramref name="law"/>'s state.</summary>
        /// <exception cref="NotSupportedException">the law has a field of a type this format does not carry</exception>
        public static void Write(IOptimizerLaw law, BinaryWriter writer)
        {
            ArgumentNullException.ThrowIfNull(law);
            ArgumentNullException.ThrowIfNull(writer);
            var fields = Fields(law.GetType());
            writer.Write(Magic);
            writer.Write(law.GetType().FullName ?? law.GetType().Name);
            writer.Write(fields.Count);
            foreach (var f in fields)
            {
                writer.Write(f.Name);
                WriteValue(writer, f.FieldType, f.GetValue(law), law.GetType().Name + "." + f.Name);
            }
        }

        /// <summary>Reads a state written by <see cref="Write"/> into <paramref name="law"/>, which must be of the same type and dimension.</summary>
        /// <exception cref="InvalidDataException">not a law state, another law's, or another dimension's</exception>
        public static void Read(IOptimizerLaw law, BinaryReader reader)
        {
            ArgumentNullException.ThrowIfNull(law);
            ArgumentNullException.ThrowIfNull(reader);
            var type = law.GetType();
            if (reader.ReadString() != Magic) throw new InvalidDataException("not an AE law state");
            var name = reader.ReadString();
            if (name != (type.FullName ?? type.Name))
                throw new InvalidDataException($"the state is of law {name}, not of {type.FullName}");
            var fields = Fields(type);
            int count = reader.ReadInt32();
            if (count != fields.Count)
                throw new InvalidDataException($"the state of {type.Name} has {count} fields, the law {fields.Count}");
            // Read everything first, so a bad state leaves the law as it was.
            var values = new object?[count];
            for (int i = 0; i < count; i++)
            {
                var fieldName = reader.ReadString();
                if (fieldName != fields[i].Name)
                    throw new InvalidDataException($"the state of {type.Name} has field {fieldName} where the law has {fields[i].Name}");
                values[i] = ReadValue(reader, fields[i].FieldType, type.Name + "." + fieldName);
            }
            for (int i = 0; i < count; i++)
                if (fields[i].GetValue(law) is Array current && values[i] is Array saved && current.GetType() == saved.GetType() && current.Length != saved.Length)
                    throw new InvalidDataException($"the state of {type.Name} is of another dimension ({fields[i].Name}: {saved.Length} values, the law's {current.Length})");
            for (int i = 0; i < count; i++)
            {
                if (fields[i].GetValue(law) is Array current && values[i] is Array saved && current.GetType() == saved.GetType())
                    Array.Copy(saved, current, saved.Length);   // in place: the law may hold the array elsewhere
                else
                    fields[i].SetValue(law, values[i]);
            }
        }

        /// <summary>The state as a byte array.</summary>
        public static byte[] Save(IOptimizerLaw law)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream)) Write(law, writer);
            return stream.ToArray();
        }

        /// <summary>Reads a state saved by <see cref="Save"/> into <paramref name="law"/>.</summary>
        public static void Load(IOptimizerLaw law, byte[] state)
        {
            ArgumentNullException.ThrowIfNull(state);
            using var reader = new BinaryReader(new MemoryStream(state, writable: false));
            Read(law, reader);
        }

        static List<FieldInfo> Fields(Type type)
        {
            var result = new List<FieldInfo>();
            for (var t = type; t != null && t != typeof(object); t = t.BaseType)
                foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (f.FieldType != typeof(object) && f.FieldType != typeof(string) && f.FieldType != typeof(string[])) result.Add(f);
            result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        }

        enum Code : byte { Null, Double, Single, Int64, Int32, UInt64, UInt32, Boolean, DoubleArray, SingleArray, Int64Array, Int32Array }

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
                default: throw new NotSupportedException($"{where}: a field of type {value.GetType().Name} is not part of a law state this format carries");
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
                Code.DoubleArray => ReadArray(r, br => br.ReadDouble()),
                Code.SingleArray => ReadArray(r, br => br.ReadSingle()),
                Code.Int64Array => ReadArray(r, br => br.ReadInt64()),
                Code.Int32Array => ReadArray(r, br => br.ReadInt32()),
                _ => throw new InvalidDataException($"{where}: unknown value code {(byte)code}"),
            };
            if (type.IsEnum && value is not null)
                return Enum.ToObject(type, value);
            if (value is not null && !type.IsAssignableFrom(value.GetType()))
                throw new InvalidDataException($"{where}: the state holds a {value.GetType().Name}, the law a {type.Name}");
            if (value is null && type.IsValueType)
                throw new InvalidDataException($"{where}: the state holds no value for a {type.Name}");
            return value;
        }

        static T[] ReadArray<T>(BinaryReader r, Func<BinaryReader, T> read)
        {
            int length = r.ReadInt32();
            if (length < 0 || length > r.BaseStream.Length) throw new InvalidDataException($"bad array length {length}");
            var a = new T[length];
            for (int i = 0; i < length; i++) a[i] = read(r);
            return a;
        }
    }
}
