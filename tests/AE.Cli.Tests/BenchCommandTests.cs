using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using AE.Kernels.Tests;
using Xunit;
using Xunit.Abstractions;

namespace AE.Cli.Tests
{
    /// <summary>
    /// Alone, after every other test class: <c>ae bench</c> times steps and counts the bytes the whole process
    /// allocates meanwhile, which tests running beside it would disturb.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class BenchCollection
    {
        public const string Name = "ae bench";
    }

    /// <summary><c>ae bench</c> in-process with a short timing (the hidden <c>--min-time-ms</c>) and small n.</summary>
    [Collection(BenchCollection.Name)]
    public class BenchCommandTests
    {
        private readonly ITestOutputHelper _output;

        public BenchCommandTests(ITestOutputHelper output) => _output = output;

        /// <summary>
        /// In a process of its own, as a user runs it: the test host's threads send results while tests run and
        /// would count in the process's allocation figure.
        /// </summary>
        [Fact]
        public void Json_has_one_object_per_dtype_and_size_with_consistent_figures_and_no_allocation()
        {
            var (exit, stdout, stderr) = ProcessTests.RunAe(Repo.Root, "bench", "--n", "1000,2e3", "--dtype", "f32,f64", "--format", "json", "--min-time-ms", "40");
            Assert.True(exit == 0, stderr);
            Assert.Equal("", stderr);

            using var json = JsonDocument.Parse(stdout);
            var root = json.RootElement;
            Assert.Equal("AeSgdm", root.GetProperty("law").GetString());
            Assert.Equal("laws/ae_sgdm.ae", root.GetProperty("law_file").GetString());
            Assert.Equal("cpu", root.GetProperty("backend").GetString());
            Assert.Equal(1, root.GetProperty("threads").GetInt32());
            var results = root.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(new[] { (1000, "f32"), (2000, "f32"), (1000, "f64"), (2000, "f64") },
                results.Select(e => (e.GetProperty("n").GetInt32(), e.GetProperty("dtype").GetString()!)));
            foreach (var e in results)
            {
                Assert.Equal("cpu", e.GetProperty("backend").GetString());
                Assert.Equal(1, e.GetProperty("threads").GetInt32());
                double ns = e.GetProperty("ns_per_step").GetDouble();
                double gb = e.GetProperty("gb_per_s").GetDouble();
                double copy = e.GetProperty("copy_gb_per_s").GetDouble();
                double ratio = e.GetProperty("ratio").GetDouble();
                int bytes = e.GetProperty("dtype").GetString() == "f32" ? 28 : 56;
                Assert.InRange(ns, 1.0, 1e9); // a step of a few thousand parameters: more than a nanosecond, less than a second
                Assert.Equal(bytes, e.GetProperty("bytes_per_param").GetInt32());
                Assert.Equal(bytes * e.GetProperty("n").GetInt32() / ns, gb, 9);
                Assert.InRange(copy, 0.1, 10_000);
                Assert.Equal(copy, root.GetProperty("copy_gb_per_s").GetDouble());
                Assert.Equal(gb / copy, ratio, 9);
                Assert.Equal(0, e.GetProperty("allocated_bytes").GetInt64());
                Assert.True(e.GetProperty("steps_per_batch").GetInt32() >= 1);
                Assert.Equal(5, e.GetProperty("batches").GetInt32());
            }
        }

        /// <summary>A cell: one JSON object for one forward plus backward of the batch and sequence, on one thread and on two.</summary>
        [Theory]
        [InlineData("1")]
        [InlineData("2")]
        public void A_cell_is_timed_forward_and_backward_and_allocates_nothing(string threads)
        {
            var (exit, stdout, stderr) = ProcessTests.RunAe(Repo.Root, "bench", "cells/residual_dynamics.ae", "--batch", "3", "--time", "5", "--dtype", "f64",
                "--threads", threads, "--format", "json", "--min-time-ms", "40");
            Assert.True(exit == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            var root = json.RootElement;
            Assert.Equal("DynamicsModelResidual", root.GetProperty("cell").GetString());
            Assert.Equal(3, root.GetProperty("batch").GetInt32());
            Assert.Equal(5, root.GetProperty("time").GetInt32());
            Assert.Equal("f64", root.GetProperty("dtype").GetString());
            Assert.Equal(int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("threads").GetInt32());
            Assert.Equal(3, root.GetProperty("checkpoint_every").GetInt32()); // ceil(sqrt(5))
            Assert.InRange(root.GetProperty("ns_per_step").GetDouble(), 100.0, 1e9);
            Assert.InRange(root.GetProperty("ns_per_step_min").GetDouble(), 100.0, root.GetProperty("ns_per_step").GetDouble()); // the fastest batch, at most the median
            // CPU time is counted in the kernel's ticks, so a short batch may read 0; never negative, never absurd.
            Assert.InRange(root.GetProperty("cpu_ns_per_step").GetDouble(), 0.0, 1e9);
            Assert.Equal(0, root.GetProperty("allocated_bytes").GetInt64());
        }

        /// <summary>More threads than samples, or a checkpoint interval past the sequence: the row says what ran, and stderr says it differs from what was asked.</summary>
        [Fact]
        public void A_cell_bench_says_when_it_runs_fewer_threads_or_a_shorter_checkpoint_than_asked()
        {
            var (exit, stdout, stderr) = ProcessTests.RunAe(Repo.Root, "bench", "cells/residual_dynamics.ae", "--batch", "2", "--time", "5", "--dtype", "f64",
                "--threads", "4", "--checkpoint", "9", "--format", "json", "--min-time-ms", "20");
            Assert.True(exit == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal(2, json.RootElement.GetProperty("threads").GetInt32());
            Assert.Equal(5, json.RootElement.GetProperty("checkpoint_every").GetInt32());
            Assert.Contains("ae: note: --threads 4 is more than the batch (2): 2 threads, one sample each", stderr, StringComparison.Ordinal);
            Assert.Contains("ae: note: --checkpoint 9 is more than the time (5): a state stored every 5 steps", stderr, StringComparison.Ordinal);

            var asked = ProcessTests.RunAe(Repo.Root, "bench", "cells/residual_dynamics.ae", "--batch", "2", "--time", "5", "--dtype", "f64",
                "--threads", "2", "--checkpoint", "5", "--format", "json", "--min-time-ms", "20");
            Assert.True(asked.ExitCode == 0, asked.Stderr);
            Assert.DoesNotContain("note:", asked.Stderr, StringComparison.Ordinal);
        }

        [Fact]
        public void A_cell_bench_with_a_bad_option_is_one_line_and_exit_2()
        {
            var r = Cli.Run(Repo.Root, "bench", "cells/residual_dynamics.ae", "--batch", "0");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: ", Assert.Single(r.StderrLines), StringComparison.Ordinal);
            Assert.Contains("--batch", r.Stderr, StringComparison.Ordinal);

            // Both dtypes, in either form the help gives for a law, say what a cell takes.
            foreach (var args in new[] { new[] { "--dtype", "f32,f64" }, new[] { "--dtype", "f32", "--dtype", "f64" } })
            {
                var both = Cli.Run(Repo.Root, new[] { "bench", "cells/residual_dynamics.ae" }.Concat(args).ToArray());
                Assert.Equal(2, both.ExitCode);
                Assert.StartsWith("ae: error: a cell's bench times one dtype (its JSON is one object): give --dtype f32 or --dtype f64, not f32 and f64", Assert.Single(both.StderrLines), StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Threaded_steps_that_draw_noise_allocate_nothing()
        {
            // 9 chunks: the passes run on two threads; at the defaults sigma leaves 0 after step 1, so every step
            // draws one Gaussian per element (block buffers on the stack, no per-thread state).
            var (exit, stdout, stderr) = ProcessTests.RunAe(Repo.Root, "bench", "--n", "140000", "--dtype", "f32,f64", "--threads", "2", "--format", "json", "--min-time-ms", "40");
            Assert.True(exit == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(2, results.Count);
            foreach (var e in results)
            {
                Assert.Equal(2, e.GetProperty("threads").GetInt32());
                Assert.Equal(0, e.GetProperty("allocated_bytes").GetInt64());
            }
        }

        [Fact]
        public void Table_has_a_row_per_size_and_names_the_settings()
        {
            var r = Cli.Run(Repo.Root, "bench", "laws/ae_sgdm.ae", "--name", "AeSgdmNoResonance", "--n", "1000", "--n", "3000",
                "--set", "sigma_max=0", "--min-time-ms", "20");
            Assert.True(r.ExitCode == 0, r.Stderr);
            var lines = r.StdoutLines;
            Assert.StartsWith("AeSgdmNoResonance (laws/ae_sgdm.ae) on cpu, 1 thread, settings sigma_max=0; copy bandwidth ", lines[0], StringComparison.Ordinal);
            int header = lines.ToList().FindIndex(l => l.StartsWith("| n ", StringComparison.Ordinal));
            Assert.True(header > 0, r.Stdout);
            Assert.Equal(new[] { "n", "dtype", "ns/step", "GB/s", "copy GB/s", "ratio", "allocated B" },
                lines[header].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var rows = lines.Skip(header + 2).Select(l => l.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            Assert.Equal(new[] { "1000", "3000" }, rows.Select(c => c[0]));
            Assert.All(rows, c => Assert.Equal("f32", c[1]));
            Assert.All(rows, c => Assert.True(long.TryParse(c[6], out long allocated) && allocated >= 0, c[6]));
        }

        [Theory]
        [InlineData("invalid value 'f16' for '--dtype'; expected f32 or f64", "--dtype", "f16")]
        [InlineData("invalid value '0' for '--n'", "--n", "0")]
        [InlineData("invalid value '-5' for '--n'", "--n", "-5")]
        [InlineData("invalid value '1.5' for '--n'", "--n", "1.5")]
        [InlineData("invalid value 'lots' for '--n'", "--n", "lots")]
        [InlineData("invalid value '2e9' for '--n'", "--n", "2e9")]
        [InlineData("empty item in '--n 1000,'", "--n", "1000,")]
        [InlineData("invalid value '0' for '--threads'", "--threads", "0")]
        [InlineData("invalid value 'gpu' for '--backend'; expected cpu, opencl or ilgpu", "--backend", "gpu")]
        [InlineData("invalid value 'xml' for '--format'; expected table or json", "--format", "xml")]
        [InlineData("unknown param 'nosuch' in --set; the params of AeSgdm: beta_mu, ", "--set", "nosuch=1")]
        [InlineData("invalid value 'abc' for the real param sigma_max of AeSgdm", "--set", "sigma_max=abc")]
        [InlineData("no law 'Nope' in laws/ae_sgdm.ae; valid names: AeSgdm, AeSgdmNoResonance", "--name", "Nope")]
        [InlineData("unknown option '--steps'", "--steps", "10")]
        public void Bad_input_is_one_line_and_exit_2(string message, string option, string value)
        {
            var r = Cli.Run(Repo.Root, "bench", option, value, "--min-time-ms", "10");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            string line = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: " + message, line, StringComparison.Ordinal);
        }

        /// <summary>An option without its value names every value it takes (--backend once named two of its three).</summary>
        [Theory]
        [InlineData("--backend", "cpu, opencl or ilgpu")]
        [InlineData("--dtype", "f32 or f64")]
        public void An_option_without_its_value_names_its_values(string option, string values)
        {
            var r = Cli.Run(Repo.Root, "bench", option);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: option '" + option + "' needs a value: " + values + ". Run 'ae bench --help'", Assert.Single(r.StderrLines));
        }

        [Fact]
        public void A_missing_law_file_alone_or_among_others_is_exit_2()
        {
            var r = Cli.Run(Repo.Root, "bench", "laws/nosuch.ae", "--n", "10");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: ", Assert.Single(r.StderrLines), StringComparison.Ordinal);
            Assert.Contains("nosuch.ae", r.Stderr, StringComparison.Ordinal);

            // several files are checked together: one missing among them is the same one line
            r = Cli.Run(Repo.Root, "bench", "laws/ae_sgdm.ae", "laws/nosuch.ae", "--n", "10");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: file not found: 'laws/nosuch.ae'", Assert.Single(r.StderrLines));
        }

        [OpenClFact]
        public void The_OpenCL_backend_times_the_device_law_and_allocates_nothing()
        {
            AE.Kernels.Tests.OpenClAvailability.Device();
            // a process of its own, as for the CPU: the test host's threads would count in the allocation figure
            var (exit, stdout, stderr) = ProcessTests.RunAe(Repo.Root, "bench", "--backend", "opencl", "--n", "1000", "--dtype", "f32,f64", "--format", "json", "--min-time-ms", "50");
            Assert.True(exit == 0, stdout + stderr);
            using var doc = JsonDocument.Parse(stdout);
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(2, results.Count);
            // the device it ran on, as replay names it
            Assert.Equal("AeSgdm [OpenCL: " + AE.Kernels.OpenCl.OpenClPlatform.DefaultDevice().Name + "]", doc.RootElement.GetProperty("law").GetString());
            foreach (var x in results)
            {
                Assert.Equal("opencl", x.GetProperty("backend").GetString());
                Assert.True(x.GetProperty("ns_per_step").GetDouble() > 0);
                Assert.Equal(0, x.GetProperty("allocated_bytes").GetInt64());
            }
        }

        [OpenClFact]
        public void A_lagged_law_counts_one_pass_and_opencl_refuses_it_in_one_line()
        {
            var r = Cli.Run(Repo.Root, "bench", "--name", "AeSgdmLagged", "--n", "5000", "--format", "json", "--min-time-ms", "50");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal(20, doc.RootElement.GetProperty("results")[0].GetProperty("bytes_per_param").GetInt32());
            AE.Kernels.Tests.OpenClAvailability.Device();
            var cl = Cli.Run(Repo.Root, "bench", "--name", "AeSgdmLagged", "--backend", "opencl", "--n", "1000");
            Assert.Equal(2, cl.ExitCode);
            Assert.StartsWith("ae: error: cannot emit 'AeSgdmLagged' for OpenCL: ", Assert.Single(cl.StderrLines), StringComparison.Ordinal);
        }

        /// <summary>A law the device backends cannot emit is named as theirs, as ae replay names it (it was "the C# backend", compiled first).</summary>
        [Theory]
        [InlineData("ilgpu", "ILGPU")]
        [InlineData("opencl", "OpenCL")]
        public void A_law_a_device_backend_cannot_emit_is_refused_in_that_backend_s_words(string backend, string name)
        {
            using var dir = new TempDirectory();
            dir.Write("sm.ae", "law Sm {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  fixed rule R { theta' = theta - 0.01 * softmax(grad); }\n}\n");
            var r = Cli.Run(dir.Path, "bench", "sm.ae", "--backend", backend, "--n", "10", "--min-time-ms", "1");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: cannot emit 'Sm' for " + name + ": 'softmax' is not emitted by the " + name + " backend yet", Assert.Single(r.StderrLines));
        }

        [Fact]
        public void Help_is_printed_and_listed()
        {
            var r = Cli.Run(Repo.Root, "bench", "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("  ae bench [<law.ae>...] [options]", r.StdoutLines);
            Assert.Contains("--min-time-ms", r.Stdout, StringComparison.Ordinal);   // its range errors send the user here
            var top = Cli.Run(Repo.Root, "--help");
            Assert.Contains(top.StdoutLines, l => l.StartsWith("  bench ", StringComparison.Ordinal));
        }

        [Fact]
        public void Threads_are_set_through_MaxThreads_when_the_law_has_it_and_are_1_otherwise()
        {
            var threaded = new FakeLaw();
            Assert.Equal(4, CpuBenchBackend.SetThreads(threaded, 8)); // what the law reports back, not what was asked
            Assert.Equal(2, CpuBenchBackend.SetThreads(threaded, 2));
            Assert.Equal(2, threaded.MaxThreads);
            Assert.Equal(1, CpuBenchBackend.SetThreads(new FakeLawWithoutThreads(), 8));
        }

        private class FakeLawWithoutThreads : AE.Runtime.IOptimizerLaw
        {
            public string LawName => "Fake";

            public int Dimension => 1;

            public long StepCount => 0;

            public System.Collections.Generic.IReadOnlyList<string> SignalNames => Array.Empty<string>();

            public System.Collections.Generic.IReadOnlyList<string> RuleIds => Array.Empty<string>();

            public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta) { }

            public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta) { }

            public double ReadSignal(int index) => 0;

            public void SetRule(string id, bool enabled) { }
        }

        private sealed class FakeLaw : FakeLawWithoutThreads
        {
            private int _threads = 1;

            /// <summary>As a generated law may: at most its own limit.</summary>
            public int MaxThreads
            {
                get => _threads;
                set => _threads = Math.Clamp(value, 1, 4);
            }
        }

        /// <summary>The allocation figure is the whole process's in the batch that allocated least: a step that allocates on another thread shows in every batch.</summary>
        [Fact]
        public void Allocation_on_worker_threads_is_counted()
        {
            var backend = new AllocatingBackend();
            var result = BenchCommand.Measure(backend, 1000, BenchDtype.F32, copyGbPerS: 10, TimeSpan.FromMilliseconds(10));
            Assert.True(result.AllocatedBytes >= 1000L * result.StepsPerBatch, result.AllocatedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(28 * 1000 / result.NsPerStep, result.GbPerS, 9);
            Assert.Equal(result.GbPerS / 10, result.Ratio, 9);
        }

        /// <summary>
        /// A size the machine cannot hold is one line before anything of it is allocated: Linux would hand the memory out
        /// and kill the process when the pages were touched. 48 vector states take 48 × 8 B × 1e9 = 384 GB in float64.
        /// </summary>
        [Fact]
        public void A_size_beyond_the_machine_s_memory_is_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();
            var states = string.Join("\n", Enumerable.Range(0, 48).Select(i => "  state s" + i + ": real[n] = 0;"));
            var updates = string.Join("\n", Enumerable.Range(0, 48).Select(i => "    s" + i + "' = 0.5 * s" + i + " + grad;"));
            dir.Write("wide.ae", "law Wide {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n" + states
                + "\n  update {\n" + updates + "\n    theta' = theta - 0.01 * s47' + 0 * loss;\n  }\n}\n");
            var r = Cli.Run(dir.Path, "bench", "wide.ae", "--n", "1e9", "--dtype", "f64", "--min-time-ms", "10");
            Assert.Equal(2, r.ExitCode);
            var line = Assert.Single(r.StderrLines);
            Assert.Matches(@"^ae: error: n = 1000000000 needs about \d+ GB of memory \(f64\), and [\d.]+ GB is available; give a smaller --n$", line);
            Assert.True(int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"about (\d+) GB").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 392, line);
        }

        [Fact]
        public void The_bytes_per_param_are_the_law_s_own_passes_reads_and_writes()
        {
            using var dir = new TempDirectory();
            // Pass 1 reads grad and gprev (cosine, max); pass 2 reads grad (the sum needs max's value); the final pass reads
            // m, grad and theta and writes m, gprev and theta: 9 elements per parameter, 36 B in float32, 72 B in float64.
            dir.Write("three.ae", """
                law Three {
                  dim n;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  state m: real[n] = 0;
                  state gprev: real[n] = 0;
                  signal c: real, z: real;
                  fixed rule M {
                    c = cosine(grad, gprev);
                    gm = max(grad);
                    z = sum(exp(grad - gm));
                  }
                  update {
                    m' = 0.9 * m + grad;
                    gprev' = grad;
                    theta' = theta - 0.01 * m' * (1 + 0 * c * z) + 0 * loss;
                  }
                }
                """);
            var r = Cli.Run(dir.Path, "bench", "three.ae", "--n", "1000", "--dtype", "f32,f64", "--format", "json", "--min-time-ms", "20");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(new[] { 36, 72 }, results.Select(e => e.GetProperty("bytes_per_param").GetInt32()));
            var table = Cli.Run(dir.Path, "bench", "three.ae", "--n", "1000", "--min-time-ms", "20");
            Assert.StartsWith("GB/s: 36 B/param (f32) or 72 B/param (f64) per step, 3 passes over the vectors reading 6 and writing 3 elements per parameter;", table.StdoutLines[1], StringComparison.Ordinal);
        }

        /// <summary>
        /// A vector that is not n long counts at its length: every vector was counted as n elements, so a law with a state of
        /// 7 elements (dim w = 7) was said to move 24 B/param where it moves 12, and its GB/s was twice the truth.
        /// </summary>
        [Fact]
        public void A_vector_of_another_length_than_n_counts_at_its_length()
        {
            using var dir = new TempDirectory();
            // Pass 1 reads y (2n elements) for its sum; the final pass reads q (7), grad and theta (n each) and writes q and
            // theta: 5n + 14 elements a step, at n = 1000 (5000 + 14) * 4 / 1000 = 20.056 B/param in float32, 40.112 in float64.
            dir.Write("lengths.ae", """
                law Lengths {
                  dim n;
                  dim w = 7;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  state q: real[w] = 1;
                  state y: real[2 * n] = 1;
                  signal s: real;
                  fixed rule S { s = sum(y); }
                  update {
                    q' = q + s;
                    theta' = theta - 0.01 * grad + 0 * loss;
                  }
                }
                """);
            var r = Cli.Run(dir.Path, "bench", "lengths.ae", "--n", "1000", "--dtype", "f32,f64", "--format", "json", "--min-time-ms", "20");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(new[] { 20.056, 40.112 }, results.Select(e => Math.Round(e.GetProperty("bytes_per_param").GetDouble(), 9)));
            foreach (var e in results)
                Assert.Equal(e.GetProperty("bytes_per_param").GetDouble() * 1000 / e.GetProperty("ns_per_step").GetDouble(), e.GetProperty("gb_per_s").GetDouble(), 9);
            var table = Cli.Run(dir.Path, "bench", "lengths.ae", "--n", "1000", "--min-time-ms", "20");
            Assert.StartsWith("GB/s: the bytes per step over n (B/param below: 4 B an element in f32, 8 B in f64), 2 passes over the vectors reading 4 and writing 2 vectors, each at its length (not all n long);",
                table.StdoutLines[1], StringComparison.Ordinal);
            Assert.StartsWith("| n    | dtype | ns/step | B/param |", table.StdoutLines[3], StringComparison.Ordinal);
            Assert.Contains("|  20.056 |", table.StdoutLines[5], StringComparison.Ordinal);
        }

        /// <summary>
        /// Vector params and vector signals are float64 in a float32 step too, and a vector param is read and a vector signal
        /// written every step: they were not counted at all, so a law scaling the gradient by a vector param was said to move
        /// 12 B/param in float32 where it moves 20. Here the one pass reads w (8 B), grad and theta (4 B each in f32) and
        /// writes theta (4 B) and d (8 B): 28 B/param in f32, 40 in f64.
        /// </summary>
        [Fact]
        public void Vector_params_and_signals_count_at_8_bytes_in_either_precision()
        {
            using var dir = new TempDirectory();
            dir.Write("wide.ae", """
                law Wide {
                  dim n;
                  param w: real[n] = 0.1;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  signal d: real[n];
                  update {
                    d = w * grad;
                    theta' = theta - d + 0 * loss;
                  }
                }
                """);
            var r = Cli.Run(dir.Path, "bench", "wide.ae", "--n", "1000", "--dtype", "f32,f64", "--format", "json", "--min-time-ms", "20");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal(new[] { 28, 40 }, doc.RootElement.GetProperty("results").EnumerateArray().Select(e => e.GetProperty("bytes_per_param").GetInt32()));
            var table = Cli.Run(dir.Path, "bench", "wide.ae", "--n", "1000", "--min-time-ms", "20");
            Assert.StartsWith("GB/s: 28 B/param (f32) or 40 B/param (f64) per step, 1 pass over the vectors reading 3 and writing 2 elements per parameter (2 of them float64 in either: vector params and signals);",
                table.StdoutLines[1], StringComparison.Ordinal);
        }

        [Fact]
        public void A_one_digit_size_keeps_a_markdown_separator_and_a_size_given_twice_is_timed_once()
        {
            var r = Cli.Run(Repo.Root, "bench", "--n", "1,1", "--min-time-ms", "20");
            Assert.True(r.ExitCode == 0, r.Stderr);
            var table = r.StdoutLines.SkipWhile(l => !l.StartsWith("| n", StringComparison.Ordinal)).ToList();
            Assert.Equal("| --: | ----- | ------: | ---: | --------: | ----: | ----------: |", table[1]);
            Assert.Equal(3, table.Count);   // header, separator, one row
        }

        private sealed class AllocatingBackend : IBenchBackend
        {
            public string Name => "test";

            public string LawName => "Allocating";

            public string LawFile => "none";

            public int Threads => 2;

            public AE.Dsl.Schedule.VectorTraffic Traffic => new(2, 5, 2);

            public IBenchRun Prepare(int n, BenchDtype dtype) => new AllocatingRun(n);

            public double CopyBandwidth() => 10;
        }

        private sealed class AllocatingRun : IBenchRun
        {
            private readonly int _n;

            public AllocatingRun(int n) => _n = n;

            public static byte[]? Last { get; private set; }

            public void Step(int count)
            {
                for (int i = 0; i < count; i++) Task.Run(() => Last = new byte[_n]).Wait();
            }

            public void Dispose() { }
        }
    }
}
