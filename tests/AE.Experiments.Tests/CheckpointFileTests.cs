using System;
using System.IO;
using System.Text;
using AE.Experiments.Training;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>How the frame names a file whose version is not this build's: by its version, or as damaged.</summary>
    public class CheckpointFileTests
    {
        // Version 6 written; versions 1 to 3 had no checksum, 4 on have one.
        private static readonly CheckpointFormat Format = new("AE.TestCheckpoint", 6, FirstChecksummed: 4);

        private static string Read(string path)
        {
            var ex = Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(path, Format, "test checkpoint", (r, _) => r.ReadInt32(),
                (message, inner) => new InvalidDataException(message, inner)));
            return ex.Message;
        }

        private static byte[] WithVersion(byte[] bytes, int version)
        {
            var copy = (byte[])bytes.Clone();
            BitConverter.TryWriteBytes(copy.AsSpan(Encoding.UTF8.GetByteCount(Format.Magic) + 1, 4), version);
            return copy;
        }

        [Fact]
        public void Another_version_is_named_where_the_checksum_holds_or_that_version_had_none()
        {
            using var dir = new TempDirectory();
            string path = Path.Combine(dir.Path, "c.bin");
            CheckpointFile.Write(path, Format, w => w.Write(17));
            byte[] bytes = File.ReadAllBytes(path);
            Assert.Equal(17, CheckpointFile.Read(path, Format, "test checkpoint", (r, _) => r.ReadInt32(), (m, e) => new InvalidDataException(m, e)));

            // An intact file of another version (written by another build) is named by its version, older or newer.
            foreach (int version in new[] { 2, 5, 7 })
            {
                CheckpointFile.Write(path, Format with { Version = version }, w => w.Write(17));
                Assert.Equal("the checkpoint c.bin is of format version " + version + "; this build reads version 6", Read(path));
            }

            // A version field that differs with the checksum failing: before the checksum existed, the file may be such a
            // version's; from it on, the field was damaged with the rest.
            foreach (int version in new[] { 1, 3 })
            {
                File.WriteAllBytes(path, WithVersion(bytes, version));
                Assert.Equal("the checkpoint c.bin is of format version " + version + "; this build reads version 6", Read(path));
            }
            foreach (int version in new[] { 0, 4, 5, 7, 1 << 20, -1 })
            {
                File.WriteAllBytes(path, WithVersion(bytes, version));
                Assert.Equal("the checkpoint c.bin is damaged: its checksum does not match its contents", Read(path));
            }
        }
    }
}
