using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace AE.Experiments.Training
{
    /// <summary>A checkpoint that is not this run's, or a damaged one; the message is one line naming the file.</summary>
    public sealed class CheckpointException : Exception
    {
        public CheckpointException() { }

        public CheckpointException(string message) : base(message) { }

        public CheckpointException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>
    /// A checkpoint format: its mark, the version this build writes, and the first version that ended in a checksum. A file
    /// of an older version whose checksum fails is named by its version only where that version had no checksum; from
    /// <paramref name="FirstChecksummed"/> on, a version that is not this build's and a failing checksum is one flipped bit.
    /// </summary>
    public sealed record CheckpointFormat(string Magic, int Version, int FirstChecksummed);

    /// <summary>
    /// The frame both checkpoints share (<see cref="TrainingCheckpoint"/>, <see cref="Machine.MachineCheckpoint"/>): a mark
    /// (a length-prefixed UTF-8 string), the format version (Int32), the body, the mark followed by ".End", and the SHA-256
    /// of everything before it; written whole or not at all (<see cref="AtomicFile"/>), read whole into memory and checked
    /// before the caller changes anything. The checksum is what tells a damaged file from a good one: a flipped bit in a
    /// value reads as a valid value.
    /// </summary>
    public static class CheckpointFile
    {
        private const int ChecksumLength = 32;

        public static void Write(string path, CheckpointFormat format, Action<BinaryWriter> body)
        {
            if (format is null) throw new ArgumentNullException(nameof(format));
            if (body is null) throw new ArgumentNullException(nameof(body));
            using var content = new MemoryStream();
            using (var w = new BinaryWriter(content, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(format.Magic);
                w.Write(format.Version);
                body(w);
                w.Write(format.Magic + ".End");
            }
            byte[] checksum = SHA256.HashData(content.GetBuffer().AsSpan(0, (int)content.Length));
            AtomicFile.Write(path, stream =>
            {
                stream.Write(content.GetBuffer(), 0, (int)content.Length);
                stream.Write(checksum, 0, checksum.Length);
            });
        }

        /// <summary>
        /// Reads the file at <paramref name="path"/>: <paramref name="body"/> reads between the version and the end mark
        /// (given the reader and the file's name for its messages). A missing or unreadable file, another file, another
        /// version, a truncated or damaged one is <paramref name="error"/>'s exception with a one-line message; so is
        /// what <paramref name="body"/> throws as <see cref="EndOfStreamException"/>, <see cref="IOException"/> or
        /// <see cref="FormatException"/>.
        /// </summary>
        /// <param name="what">how the file is named in a message: "training checkpoint", "run checkpoint"</param>
        public static T Read<T>(string path, CheckpointFormat format, string what, Func<BinaryReader, string, T> body, Func<string, Exception?, Exception> error)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (format is null) throw new ArgumentNullException(nameof(format));
            if (body is null) throw new ArgumentNullException(nameof(body));
            if (error is null) throw new ArgumentNullException(nameof(error));
            string name = Path.GetFileName(path);
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw error("cannot read the checkpoint " + name + ": " + ex.Message, ex);
            }
            try
            {
                using var r = OpenChecked(bytes, format, name, what, error);
                T result = body(r, name);
                if (r.ReadString() != format.Magic + ".End") throw error("the checkpoint " + name + " is truncated", null);
                if (r.BaseStream.Position != bytes.Length - ChecksumLength) throw error("the checkpoint " + name + " is damaged (bytes after its end)", null);
                return result;
            }
            catch (EndOfStreamException ex)
            {
                throw error("the checkpoint " + name + " is truncated", ex);
            }
            catch (Exception ex) when (ex is IOException or FormatException or DecoderFallbackException)
            {
                throw error("the checkpoint " + name + " is damaged: " + ex.Message.Split('\n')[0].TrimEnd('\r'), ex);
            }
        }

        /// <summary>
        /// What <paramref name="head"/> reads from the start of the body of the checkpoint at <paramref name="path"/> (its
        /// identity), or null when the file is not an intact checkpoint of this mark and version.
        /// </summary>
        public static T? Peek<T>(string path, CheckpointFormat format, Func<BinaryReader, T> head) where T : class
        {
            if (format is null) throw new ArgumentNullException(nameof(format));
            if (head is null) throw new ArgumentNullException(nameof(head));
            try
            {
                byte[] bytes = File.ReadAllBytes(path);
                using var r = OpenChecked(bytes, format, Path.GetFileName(path), "checkpoint", (message, inner) => new InvalidDataException(message, inner));
                return head(r);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or DecoderFallbackException)
            {
                return null;
            }
        }

        /// <summary>
        /// A reader of <paramref name="bytes"/> after the mark and the version, once they are this format's and the checksum
        /// holds: otherwise <paramref name="error"/>'s exception (truncated, not a checkpoint, another version, damaged).
        /// </summary>
        private static BinaryReader OpenChecked(byte[] bytes, CheckpointFormat format, string name, string what, Func<string, Exception?, Exception> error)
        {
            byte[] mark = MarkBytes(format.Magic);
            if (bytes.Length < mark.Length && mark.AsSpan().StartsWith(bytes)) throw error("the checkpoint " + name + " is truncated", null);
            if (!bytes.AsSpan().StartsWith(mark)) throw error("the file " + name + " is not a " + what, null);
            var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            r.ReadString();
            int saved = r.ReadInt32();
            // The checksum first: one flipped bit in the version field is damage, not a build of another version. Only a
            // version from before the checksum is named as such with no checksum to vouch for it.
            bool intact = IsIntact(bytes);
            if (saved != format.Version && (intact || (saved >= 1 && saved < format.FirstChecksummed)))
                throw error("the checkpoint " + name + " is of format version " + saved + "; this build reads version " + format.Version, null);
            if (!intact) throw error(Damage(bytes, format.Magic, name), null);
            return r;
        }

        /// <summary>
        /// Whether the file ends in the SHA-256 of what precedes it.
        /// </summary>
        private static bool IsIntact(byte[] bytes)
        {
            int content = bytes.Length - ChecksumLength;
            return content > 0 && SHA256.HashData(bytes.AsSpan(0, content)).AsSpan().SequenceEqual(bytes.AsSpan(content));
        }

        /// <summary>What is wrong with a file whose checksum fails: bytes after its end, damage inside, or an end cut off.</summary>
        private static string Damage(byte[] bytes, string magic, string name)
        {
            byte[] end = MarkBytes(magic + ".End");
            int content = bytes.Length - ChecksumLength;
            if (content >= end.Length && bytes.AsSpan(content - end.Length, end.Length).SequenceEqual(end))
                return "the checkpoint " + name + " is damaged: its checksum does not match its contents";
            int mark = bytes.AsSpan().LastIndexOf(end);
            if (mark >= 0 && mark + end.Length + ChecksumLength < bytes.Length)
            {
                int after = mark + end.Length + ChecksumLength;
                if (SHA256.HashData(bytes.AsSpan(0, mark + end.Length)).AsSpan().SequenceEqual(bytes.AsSpan(mark + end.Length, ChecksumLength)))
                    return "the checkpoint " + name + " is damaged: " + (bytes.Length - after) + " bytes follow its end";
            }
            return "the checkpoint " + name + " is truncated";
        }

        /// <summary>
        /// Checks a checkpoint's identity field by field, in order: the first that differs is <paramref name="error"/>'s
        /// exception, "the checkpoint NAME is of WHAT SAVED, this run's is EXPECTED".
        /// </summary>
        public static void Compare(string name, IEnumerable<(string What, object Saved, object Expected)> fields, Func<string, Exception> error)
        {
            if (fields is null) throw new ArgumentNullException(nameof(fields));
            if (error is null) throw new ArgumentNullException(nameof(error));
            foreach (var (what, saved, expected) in fields)
                if (!Equals(saved, expected)) throw error("the checkpoint " + name + " is of " + what + " " + saved + ", this run's is " + expected);
        }

        /// <summary>n doubles (an Int32 count, then the values); a count beyond the bytes left is a truncated file.</summary>
        public static double[] ReadDoubles(BinaryReader r)
        {
            if (r is null) throw new ArgumentNullException(nameof(r));
            int n = r.ReadInt32();
            if (n < 0 || (long)n * 8 > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
            var a = new double[n];
            for (int i = 0; i < n; i++) a[i] = r.ReadDouble();
            return a;
        }

        public static void WriteDoubles(BinaryWriter w, ReadOnlySpan<double> values)
        {
            if (w is null) throw new ArgumentNullException(nameof(w));
            w.Write(values.Length);
            foreach (var v in values) w.Write(v);
        }

        /// <summary>A length-prefixed block of bytes (an optimizer's or a task's state); a length beyond the bytes left is a truncated file.</summary>
        public static byte[] ReadBlock(BinaryReader r)
        {
            if (r is null) throw new ArgumentNullException(nameof(r));
            int n = r.ReadInt32();
            if (n < 0) throw new FormatException("a block of " + n + " bytes");
            if (n > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
            return r.ReadBytes(n);
        }

        public static void WriteBlock(BinaryWriter w, byte[] block)
        {
            if (w is null) throw new ArgumentNullException(nameof(w));
            if (block is null) throw new ArgumentNullException(nameof(block));
            w.Write(block.Length);
            w.Write(block);
        }

        /// <summary>
        /// Whether the file at <paramref name="path"/> begins with the mark <paramref name="magic"/>, intact or not: a
        /// checkpoint given where another file is read (its bytes read as a safetensors header length of 7.6e18).
        /// </summary>
        public static bool BeginsWithMark(string path, string magic)
        {
            byte[] mark = MarkBytes(magic);
            try
            {
                using var stream = File.OpenRead(path);
                var head = new byte[mark.Length];
                return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.AsSpan().SequenceEqual(mark);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;   // the file's own reader says what is wrong with it
            }
        }

        /// <summary>How the mark begins the file: a length-prefixed UTF-8 string.</summary>
        private static byte[] MarkBytes(string magic)
        {
            using var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) w.Write(magic);
            return stream.ToArray();
        }
    }
}
