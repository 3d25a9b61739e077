using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace AE.TorchSharp.Tests
{
    /// <summary><c>examples/TorchSharpFashion</c> as a user runs it: bad input is one line and exit 2, never a stack trace.</summary>
    public class ExampleTests
    {
        /// <summary>The example built beside these tests (the same configuration: bin/Debug or bin/Release).</summary>
        private static string ExampleDll()
        {
            var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;   // .../bin/CONFIG/net10.0/
            var dll = Path.Combine(Goldens.Root, "examples", "TorchSharpFashion", "bin", config, "net10.0", "TorchSharpFashion.dll");
            Assert.True(File.Exists(dll), "the example is not built: " + dll);
            return dll;
        }

        /// <summary>A damaged dataset file ended the example with an unhandled InvalidDataException (exit 134 and a stack trace).</summary>
        [Fact]
        public async System.Threading.Tasks.Task A_damaged_dataset_file_is_one_line_and_exit_2()
        {
            var data = Path.Combine(Path.GetTempPath(), "ae-bad-fashion-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(data);
            try
            {
                foreach (var name in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
                {
                    using var file = File.Create(Path.Combine(data, name));
                    using var gz = new GZipStream(file, CompressionLevel.Fastest);
                    gz.Write("junk\n"u8);
                }
                var start = new ProcessStartInfo(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                start.Environment["AE_FASHION_MNIST_DIR"] = data;
                foreach (var arg in new[] { ExampleDll(), "--epochs", "1", "--train", "100" }) start.ArgumentList.Add(arg);
                using var process = Process.Start(start)!;
                var stderrTask = process.StandardError.ReadToEndAsync();
                string stdout = await process.StandardOutput.ReadToEndAsync();
                string stderr = await stderrTask;
                Assert.True(process.WaitForExit(120_000), "the example did not exit");
                Assert.True(process.ExitCode == 2, "exit " + process.ExitCode + ": " + stdout + stderr);
                var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.StartsWith("TorchSharpFashion: ", line, StringComparison.Ordinal);
                Assert.Contains("-ubyte.gz: not an IDX file", line, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
