using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using AE.Experiments.Training;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>A file written whole, and what a writer killed half-way left beside it.</summary>
    public class AtomicFileTests
    {
        [Fact]
        public void A_write_removes_the_temporary_files_of_writers_that_no_longer_run()
        {
            string dir = Path.Combine(Path.GetTempPath(), "ae-atomic-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                // A process that has exited: its id names a writer killed while writing.
                using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
                gone.WaitForExit();
                string path = Path.Combine(dir, "checkpoint.aerun");
                string orphan = path + ".tmp-" + gone.Id.ToString(CultureInfo.InvariantCulture);
                string live = path + ".tmp-1";            // init runs: a writer that may still be writing
                string other = path + ".tmp-notes";       // not a writer's: not ours to remove
                foreach (var f in new[] { orphan, live, other }) File.WriteAllText(f, "partial");

                AtomicFile.Write(path, s => s.WriteByte(42));

                Assert.Equal(new byte[] { 42 }, File.ReadAllBytes(path));
                Assert.False(File.Exists(orphan));
                Assert.True(File.Exists(live));
                Assert.True(File.Exists(other));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
