using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using AE.Experiments.Machine;
using AE.Experiments.Training;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// A checkpoint (of ae train, of ae run) names the data set it was made on: resumed on other data (another folder of
    /// other files, or the files changed) it is refused in one line saying what differs; the same data elsewhere, or
    /// compressed, resume. The data folder is the process's environment (AE_FASHION_MNIST_DIR), so these run ae as a process.
    /// </summary>
    public class CheckpointDataTests
    {
        private const int Images = 32;

        private static byte[] Pixels()
        {
            var pixels = new byte[Images * 28 * 28];
            new Random(5).NextBytes(pixels);
            return pixels;
        }

        private static byte[] Labels(int changed = -1) => Enumerable.Range(0, Images).Select(i => (byte)(i == changed ? (i + 1) % 10 : i % 10)).ToArray();

        private static byte[] BigEndian(int value) => new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value };

        /// <summary>A data set in the IDX files' own layout (magic 0 0 8 rank, then the sizes big-endian): the training and test splits alike.</summary>
        private static string WriteDataSet(TempDirectory dir, string folder, byte[] pixels, byte[] labels, bool gzip = false)
        {
            var images = new byte[] { 0, 0, 8, 3 }.Concat(BigEndian(Images)).Concat(BigEndian(28)).Concat(BigEndian(28)).Concat(pixels).ToArray();
            var idxLabels = new byte[] { 0, 0, 8, 1 }.Concat(BigEndian(Images)).Concat(labels).ToArray();
            foreach (var split in new[] { "train", "t10k" })
            {
                Write(dir, folder + "/" + split + "-images-idx3-ubyte", images, gzip);
                Write(dir, folder + "/" + split + "-labels-idx1-ubyte", idxLabels, gzip);
            }
            return Path.Combine(dir.Path, folder);
        }

        private static void Write(TempDirectory dir, string path, byte[] bytes, bool gzip)
        {
            if (!gzip)
            {
                dir.WriteBytes(path, bytes);
                return;
            }
            using var packed = new MemoryStream();
            using (var z = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(bytes);
            dir.WriteBytes(path + ".gz", packed.ToArray());
        }

        /// <summary>The data's digest as the checkpoint names it, computed here from the bytes the test wrote.</summary>
        private static string Digest(byte[] pixels, byte[] labels)
            => "Fashion-MNIST training " + Images + " images (sha256 " + Convert.ToHexString(SHA256.HashData(pixels.Concat(labels).ToArray()), 0, 8).ToLowerInvariant() + ")";

        private static (int ExitCode, string Stdout, string Stderr) Train(TempDirectory dir, string data, params string[] more)
            => ProcessTests.RunAe(dir.Path, new Dictionary<string, string> { ["AE_FASHION_MNIST_DIR"] = data },
                new[] { "train", Path.Combine(Repo.Root, "cells", "gru.ae"), "--task", "fashion-rows", "--batch", "8", "--no-progress", "--db", "runs.db" }.Concat(more).ToArray());

        [Fact]
        public void Resuming_on_other_data_is_refused_and_on_the_same_data_elsewhere_goes_on()
        {
            using var dir = new TempDirectory();
            var pixels = Pixels();
            string original = WriteDataSet(dir, "a", pixels, Labels());
            string relabelled = WriteDataSet(dir, "b", pixels, Labels(changed: 3));
            string packed = WriteDataSet(dir, "c", pixels, Labels(), gzip: true);

            var first = Train(dir, original, "--epochs", "1", "--out", "run");
            Assert.True(first.ExitCode == 0, first.Stderr);
            string checkpoint = Path.Combine(dir.Path, "run", "checkpoint.aetrain");
            byte[] before = File.ReadAllBytes(checkpoint);

            var other = Train(dir, relabelled, "--epochs", "2", "--out", "run", "--resume", "run/checkpoint.aetrain");
            Assert.Equal(2, other.ExitCode);
            Assert.Equal("ae: error: the checkpoint checkpoint.aetrain is of data " + Digest(pixels, Labels()) + ", this run's is " + Digest(pixels, Labels(changed: 3)),
                other.Stderr.TrimEnd('\n'));
            Assert.Equal(before, File.ReadAllBytes(checkpoint));

            var same = Train(dir, packed, "--epochs", "2", "--out", "run", "--resume", "run/checkpoint.aetrain");
            Assert.True(same.ExitCode == 0, same.Stderr);
            Assert.Contains("epochs      2 (resumed after 1)", same.Stdout, StringComparison.Ordinal);
        }

        /// <summary>
        /// ae run's checkpoint of logreg-fashion names the images too. A run writes its checkpoint every few steps and removes
        /// it when it completes, so the first run is a long one, ended once its checkpoint is there.
        /// </summary>
        [Fact]
        public void A_run_checkpoint_names_the_images_and_is_refused_on_others()
        {
            using var dir = new TempDirectory();
            var pixels = Pixels();
            string original = WriteDataSet(dir, "a", pixels, Labels());
            string relabelled = WriteDataSet(dir, "b", pixels, Labels(changed: 3));
            string[] run = { "run", Repo.SgdmLaw, "--task", "logreg-fashion", "--steps", "1000000", "--db", "runs.db", "--no-progress" };
            string checkpoint = Path.Combine(dir.Path, "o", "checkpoint.aerun");

            var start = new ProcessStartInfo(Cli.DotnetHost()) { WorkingDirectory = dir.Path, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["AE_FASHION_MNIST_DIR"] = original;
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ae.dll"));
            foreach (var arg in run.Concat(new[] { "--out", "o", "--checkpoint-every", "20" })) start.ArgumentList.Add(arg);
            using (var first = Process.Start(start)!)
            {
                var clock = Stopwatch.StartNew();
                while (!File.Exists(checkpoint) && !first.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) System.Threading.Thread.Sleep(50);
                if (!first.HasExited) first.Kill(entireProcessTree: true);
                first.WaitForExit();
            }
            Assert.True(File.Exists(checkpoint), "no checkpoint was written");
            string task = "logreg-fashion " + Digest(pixels, Labels());
            Assert.Equal(task, MachineCheckpoint.IdentityOf(checkpoint)!.Task);

            var other = ProcessTests.RunAe(dir.Path, new Dictionary<string, string> { ["AE_FASHION_MNIST_DIR"] = relabelled },
                run.Concat(new[] { "--resume", "o/checkpoint.aerun" }).ToArray());
            Assert.Equal(2, other.ExitCode);
            Assert.Equal("ae: error: the checkpoint checkpoint.aerun is of task " + task + ", this run's is logreg-fashion " + Digest(pixels, Labels(changed: 3)),
                other.Stderr.TrimEnd('\n'));
        }

        /// <summary>A checkpoint of the format before the run key is named as such, not read as this format.</summary>
        [Fact]
        public void A_checkpoint_of_the_previous_format_version_is_one_line()
        {
            using var dir = new TempDirectory();
            string path = Path.Combine(dir.Path, "old.aetrain");
            CheckpointFile.Write(path, new CheckpointFormat(TrainingCheckpoint.Magic, 7, FirstChecksummed: 4), w => w.Write("Gru"));

            var r = Cli.Run(dir.Path, "train", Path.Combine(Repo.Root, "cells", "residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "5", "--batch", "2",
                "--epochs", "2", "--resume", "old.aetrain", "--db", "runs.db");

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: the checkpoint old.aetrain is of format version 7; this build reads version 8", Assert.Single(r.StderrLines));
            Assert.False(File.Exists(Path.Combine(dir.Path, "runs.db")));
        }
    }
}
