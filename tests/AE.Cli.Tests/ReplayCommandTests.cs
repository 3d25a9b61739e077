using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// <c>ae replay</c> in-process. The law's compiled assembly is cached per process, so these tests
    /// compile laws/ae_sgdm.ae once (and the perturbed copy once).
    /// </summary>
    public class ReplayCommandTests
    {
        /// <summary>
        /// The lines <c>ae replay --backend BACKEND</c> prints for a one-dimensional case and two laws too small for it: a
        /// derived dim (w = n - 1) and a free length (real[n - 1]) of 0 at n = 1.
        /// </summary>
        internal static string[][] DimRefusals(string backend)
        {
            using var dir = new TempDirectory();
            dir.Write("n1.json", @"{""name"": ""n1"", ""source"": ""by hand"", ""problem"": {""kind"": ""quadratic"", ""A"": [[1.0]], ""b"": [1.0]}, ""theta0"": [0.1], ""steps"": 2,
 ""config"": {}, ""columns"": [""step"", ""theta0""], ""tolerance"": {""rel"": 1e-9, ""abs"": 1e-12}}");
            dir.Write("n1.csv", "step,theta0\n1,0\n2,0\n");
            const string Head = "law {0} {{ dim n; {1} input loss: real; input grad: real[n]; state theta: real[n]; state h: {2} = 0; update {{ h' = h + 1; theta' = theta - 0.01 * grad; }} }}\n";
            dir.Write("derived.ae", string.Format(System.Globalization.CultureInfo.InvariantCulture, Head, "Dw", "dim w = n - 1;", "real[w]"));
            dir.Write("length.ae", string.Format(System.Globalization.CultureInfo.InvariantCulture, Head, "Dl", "", "real[n - 1]"));
            return new[] { "derived.ae", "length.ae" }.Select(law =>
            {
                var r = Cli.Run(dir.Path, "replay", "n1.json", "--law", law, "--backend", backend);
                Assert.Equal(2, r.ExitCode);
                return r.StderrLines.ToArray();
            }).ToArray();
        }

        internal static readonly string[][] ExpectedDimRefusals =
        {
            new[] { "ae: error: n1.json: Dw does not run at n = 1: dimension 'w' = n - 1 is 0 for n = 1; a dimension must be at least 1 and at most 2147483647" },
            new[] { "ae: error: n1.json: Dl does not run at n = 1: length n - 1 is 0 for n = 1; a dimension must be at least 1 and at most 2147483647" },
        };

        /// <summary>A law too small for the case's dimension says so in the same words on every backend (the device hosts said 'rejects its settings').</summary>
        [Theory]
        [InlineData("csharp")]
        [InlineData("ilgpu")]
        public void A_law_that_does_not_run_at_the_case_s_n_says_so_alike_on_each_backend(string backend)
            => Assert.Equal(ExpectedDimRefusals, DimRefusals(backend));

        public static TheoryData<string> ControllerCases()
        {
            var data = new TheoryData<string>();
            foreach (var name in Repo.ControllerCases()) data.Add(name);
            return data;
        }

        [Fact]
        public void Every_controller_case_is_found()
        {
            Assert.Equal(new[] { "linreg_10d", "quadratic_2d", "quadratic_no_resonance", "rosenbrock_2d" }, Repo.ControllerCases());
        }

        [Theory]
        [MemberData(nameof(ControllerCases))]
        public void Ae_sgdm_replays_every_golden_controller_case_within_tolerance(string name)
        {
            var r = Cli.Run(Repo.Root, "replay", Repo.Case(name));
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal("", r.Stderr);
            var lines = r.StdoutLines;
            Assert.StartsWith(name + ": AeSgdm (laws/ae_sgdm.ae) on ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("column  ", lines[1], StringComparison.Ordinal);
            Assert.StartsWith("ok: all ", lines[^1], StringComparison.Ordinal);
            Assert.All(lines.Skip(2).Take(lines.Count - 3), l => Assert.EndsWith("  -", l, StringComparison.Ordinal));
        }

        [Fact]
        public void The_variant_without_the_resonance_clamp_replays_the_case_with_the_clamp_out_of_reach()
        {
            var r = Cli.Run(Repo.Root, "replay", Repo.Case("quadratic_no_resonance"), "--name", "AeSgdmNoResonance");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.StartsWith("quadratic_no_resonance: AeSgdmNoResonance (laws/ae_sgdm.ae)", r.StdoutLines[0], StringComparison.Ordinal);

            // ...and does not replay the seed's default run, where the clamp fires.
            r = Cli.Run(Repo.Root, "replay", Repo.Case("quadratic_2d"), "--name", "AeSgdmNoResonance");
            Assert.Equal(1, r.ExitCode);
        }

        [Fact]
        public void The_default_law_is_found_from_outside_the_repository()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"));
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Contains("ae_sgdm.ae) on quadratic", r.StdoutLines[0], StringComparison.Ordinal);
        }

        [Fact]
        public void A_perturbed_law_fails_and_names_alpha()
        {
            using var dir = new TempDirectory();
            string law = File.ReadAllText(Repo.SgdmLaw);
            Assert.Contains("0.8 * max(gtrack", law, StringComparison.Ordinal);
            dir.Write("perturbed.ae", law.Replace("0.8 * max(gtrack", "0.81 * max(gtrack", StringComparison.Ordinal));

            var r = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", "perturbed.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("", r.Stderr);
            var alpha = r.StdoutLines.Single(l => l.StartsWith("alpha ", StringComparison.Ordinal));
            Assert.Contains("first at step 21: expected ", alpha, StringComparison.Ordinal); // the latch fires after 20 warm-up steps
            Assert.StartsWith("FAIL: ", r.StdoutLines[^1], StringComparison.Ordinal);
            Assert.Contains("alpha", r.StdoutLines[^1], StringComparison.Ordinal);
            Assert.EndsWith("the first at step 21 in column alpha", r.StdoutLines[^1], StringComparison.Ordinal);
        }

        /// <summary>
        /// The golden quadratic with the noise on (the seed's agent at init_sigma 0.1, sigma_max 1), compared with its
        /// trajectory made with the noise off: the law's own draws move theta at step 1, so the replay can say nothing
        /// about the law and says why (it blamed every column). The perturbed law above fails with the noise off: exit 1.
        /// </summary>
        internal static (int ExitCode, string Stdout, string[] Stderr) ReplayWithNoiseOn(string backend)
        {
            using var dir = new TempDirectory();
            var json = JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            json["agent"]!["init_sigma"] = 0.1;
            json["config"]!["sigma_max"] = 1.0;
            string path = WriteCase(dir, "noisy", json, csvFrom: "quadratic_2d");
            var r = Cli.Run(dir.Path, "replay", path, "--backend", backend);
            return (r.ExitCode, r.Stdout, r.StderrLines.ToArray());
        }

        internal const string NoiseRefusal = "ae: error: noisy.json cannot be replayed with AeSgdm: the law's run depends on its noise draws: with another noise seed it leaves the case's tolerance at step 1 (column ";

        [Theory]
        [InlineData("csharp")]
        [InlineData("ilgpu")] // on ILGPU's CPU simulator where there is no GPU
        public void A_case_made_with_the_noise_on_is_refused_as_one_no_replay_can_follow(string backend)
        {
            var (exitCode, stdout, stderr) = ReplayWithNoiseOn(backend);

            Assert.Equal(2, exitCode);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr);
            Assert.StartsWith(NoiseRefusal, line, StringComparison.Ordinal);
            Assert.Contains("no later than its first value out of tolerance (step 1);", line, StringComparison.Ordinal);
            Assert.EndsWith("for the seed's AEAgent, init_sigma 0 and sigma_max 0; for another law, the params that scale its noise()", line, StringComparison.Ordinal);
        }

        /// <summary>
        /// A case made without noise and a law that draws noise of its own (a param that is not the case's): the law departs from
        /// the reference because of its draws; the line says that of the law's run, not that the case was made with noise.
        /// </summary>
        [Fact]
        public void A_law_whose_own_noise_moves_it_is_named_as_the_one_that_depends_on_its_draws()
        {
            using var dir = new TempDirectory();
            dir.Write("noisy.ae", "law Noisy {\n  dim n;\n  param a = 0.1;\n  param s = 1e-3;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
                + "  signal L: real;\n  fixed rule M { L = loss; }\n  update { theta' = theta - a * grad + s * noise(n); }\n}\n");
            dir.Write("quiet.ae", "law Quiet {\n  dim n;\n  param a = 0.1;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
                + "  signal L: real;\n  fixed rule M { L = loss; }\n  update { theta' = theta - a * grad; }\n}\n");
            // plain gradient descent on quadratic_2d's problem, worked here: theta' = theta - 0.1 (A theta - b)
            var golden = JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            var a = golden["problem"]!["A"]!.AsArray().Select(row => row!.AsArray().Select(v => (double)v!).ToArray()).ToArray();
            var b = golden["problem"]!["b"]!.AsArray().Select(v => (double)v!).ToArray();
            var theta = golden["theta0"]!.AsArray().Select(v => (double)v!).ToArray();
            var csv = new System.Text.StringBuilder("step,theta0,theta1\n");
            for (int step = 1; step <= 5; step++)
            {
                var g = new[] { a[0][0] * theta[0] + a[0][1] * theta[1] - b[0], a[1][0] * theta[0] + a[1][1] * theta[1] - b[1] };
                theta = new[] { theta[0] - 0.1 * g[0], theta[1] - 0.1 * g[1] };
                csv.Append(step).Append(',').Append(theta[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                   .Append(theta[1].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }
            var json = new JsonObject
            {
                ["name"] = "clean", ["problem"] = golden["problem"]!.DeepClone(), ["theta0"] = golden["theta0"]!.DeepClone(), ["steps"] = 5,
                ["config"] = new JsonObject(), ["columns"] = new JsonArray("step", "theta0", "theta1"),
                ["tolerance"] = new JsonObject { ["rel"] = 1e-9, ["abs"] = 1e-12 },
            };
            dir.Write("clean.json", json.ToJsonString());
            dir.Write("clean.csv", csv.ToString());

            Assert.Equal(0, Cli.Run(dir.Path, "replay", "clean.json", "--law", "quiet.ae").ExitCode);
            var noisy = Cli.Run(dir.Path, "replay", "clean.json", "--law", "noisy.ae");
            Assert.Equal(2, noisy.ExitCode);
            Assert.StartsWith("ae: error: clean.json cannot be replayed with Noisy: the law's run depends on its noise draws: with another noise seed it leaves the case's tolerance at step 1",
                Assert.Single(noisy.StderrLines), StringComparison.Ordinal);
        }

        [Fact]
        public void Json_output_has_every_column_and_the_verdict()
        {
            var r = Cli.Run(Repo.Root, "replay", Repo.Case("quadratic_2d"), "--format", "json");
            Assert.Equal(0, r.ExitCode);
            using var doc = JsonDocument.Parse(r.Stdout);
            var root = doc.RootElement;
            Assert.Equal("quadratic_2d", root.GetProperty("case").GetString());
            Assert.Equal("AeSgdm", root.GetProperty("law").GetString());
            Assert.Equal(300, root.GetProperty("steps").GetInt32());
            Assert.True(root.GetProperty("within").GetBoolean());
            var columns = root.GetProperty("columns").EnumerateArray().ToList();
            Assert.Equal(new[] { "loss", "T", "V", "S", "rho", "alpha", "mu", "sigma", "gamma", "gnorm", "theta0", "theta1" },
                columns.Select(c => c.GetProperty("column").GetString()));
            Assert.Equal("signal L", columns[0].GetProperty("source").GetString());
            Assert.All(columns, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("first_failure").ValueKind));
            // numbers as the text output writes them, with a lower-case exponent
            Assert.Contains("\"rel\": 1e-09,", r.Stdout, StringComparison.Ordinal);
            Assert.DoesNotMatch("[0-9]E[-+]", r.Stdout);
        }

        [Fact]
        public void A_law_lacking_a_param_of_the_config_exits_2_naming_it()
        {
            using var dir = new TempDirectory();
            string law = File.ReadAllText(Repo.SgdmLaw).Replace("tau_T_stall", "tau_stall", StringComparison.Ordinal);
            dir.Write("renamed.ae", law);

            var r = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", "renamed.ae");

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            var line = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: quadratic_2d.json: 'config.tau_T_stall' is not a param of AeSgdm; its params: beta_mu, beta_T, ", line, StringComparison.Ordinal);
            Assert.Contains("tau_stall", line, StringComparison.Ordinal);
        }

        [Fact]
        public void A_param_out_of_its_range_exits_2()
        {
            using var dir = new TempDirectory();
            var json = JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            json["config"]!["sigma_min"] = -1;
            string path = WriteCase(dir, "bad_range", json);

            var r = Cli.Run(dir.Path, "replay", path);

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: bad_range.json: AeSgdm rejects its settings: param 'sigma_min' must lie in [0, 1] (given -1)", Assert.Single(r.StderrLines));
        }

        [Fact]
        public void Malformed_case_files_exit_2_with_one_line()
        {
            using var dir = new TempDirectory();
            File.Copy(Path.Combine(Repo.Golden, "quadratic_2d.csv"), Path.Combine(dir.Path, "broken.csv"));
            dir.Write("broken.json", File.ReadAllText(Repo.Case("quadratic_2d")).Replace("\"steps\": 300,", "\"steps\": 300", StringComparison.Ordinal));
            var json = JsonNode.Parse(File.ReadAllText(Repo.Case("linreg_10d")))!;
            json["problem"]!.AsObject().Remove("X");
            WriteCase(dir, "linreg_10d", json, csvFrom: "linreg_10d");

            var broken = Cli.Run(dir.Path, "replay", "broken.json");
            var noX = Cli.Run(dir.Path, "replay", "linreg_10d.json");
            var missing = Cli.Run(dir.Path, "replay", "nope.json");
            // a .json that is not JSON is its own error first, before the .csv it would need
            dir.Write("alone.json", "{\"name\": \"x\"");
            var alone = Cli.Run(dir.Path, "replay", "alone.json");

            Assert.Equal(2, broken.ExitCode);
            Assert.Equal("", broken.Stdout);
            Assert.StartsWith("ae: error: broken.json: not valid JSON at line ", Assert.Single(broken.StderrLines), StringComparison.Ordinal);
            Assert.Equal(2, noX.ExitCode);
            Assert.Equal("ae: error: linreg_10d.json: 'problem.X' is missing", Assert.Single(noX.StderrLines));
            Assert.Equal(2, missing.ExitCode);
            Assert.Equal("ae: error: nope.json: file not found", Assert.Single(missing.StderrLines));
            Assert.Equal(2, alone.ExitCode);
            Assert.StartsWith("ae: error: alone.json: not valid JSON at line 1, column ", Assert.Single(alone.StderrLines), StringComparison.Ordinal);
        }

        /// <summary>
        /// The strings "NaN" and "Infinity" stand for numbers a computation gave (JSON has none), but a problem's data or a
        /// starting point that is not finite is no problem at all: it ran, and the law was blamed for the columns.
        /// </summary>
        [Theory]
        [InlineData("problem.A", "\"NaN\"", "'problem.A[0][0]' must be a finite number, not NaN")]
        [InlineData("theta0", "\"Infinity\"", "'theta0[0]' must be a finite number, not Infinity")]
        [InlineData("problem.b", "\"-Infinity\"", "'problem.b[0]' must be a finite number, not -Infinity")]
        public void A_problem_or_start_that_is_not_finite_exits_2_naming_the_field(string field, string value, string message)
        {
            using var dir = new TempDirectory();
            var json = JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            var target = field switch
            {
                "problem.A" => json["problem"]!["A"]![0]!.AsArray(),
                "problem.b" => json["problem"]!["b"]!.AsArray(),
                _ => json["theta0"]!.AsArray(),
            };
            target[0] = JsonNode.Parse(value);
            string path = WriteCase(dir, "nonfinite", json);

            var r = Cli.Run(dir.Path, "replay", path);

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: nonfinite.json: " + message, Assert.Single(r.StderrLines));
        }

        [Fact]
        public void A_config_value_of_the_wrong_kind_exits_2()
        {
            using var dir = new TempDirectory();
            var json = JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            json["config"]!["auto_gamma"] = 1;
            json["config"]!["beta_T"] = null;
            string path = WriteCase(dir, "kinds", json);

            var r = Cli.Run(dir.Path, "replay", path);

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: kinds.json: 'config.beta_T' is null (None), which has no meaning for the real param beta_T of AeSgdm; None is allowed for max_dlog_alpha, max_d_mu, max_dlog_sigma, step_norm_max, clip_grad_norm, param_abs_max",
                Assert.Single(r.StderrLines));
        }

        /// <summary>
        /// AEConfig's device and dtype (a case written from every field of the seed's config has them) place its tensors and
        /// are not law parameters: a float64 case replays with them; another dtype is one line, as a replay computes in float64.
        /// </summary>
        [Theory]
        [InlineData("torch.float64", null)]
        [InlineData("float64", null)]
        [InlineData("torch.float32", "ae: error: typed.json: 'config.dtype' is \"torch.float32\"; a replay computes in float64, so the case must be of torch.float64")]
        public void The_seeds_device_and_dtype_in_a_config_are_not_law_parameters(string dtype, string? error)
        {
            using var dir = new TempDirectory();
            var json = JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            json["config"]!["device"] = "cpu";
            json["config"]!["dtype"] = dtype;
            string path = WriteCase(dir, "typed", json);

            var r = Cli.Run(dir.Path, "replay", path);

            if (error is null)
            {
                Assert.True(r.ExitCode == 0, r.Stderr);
                Assert.Contains("within tolerance at every one of 300 steps", r.Stdout, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(2, r.ExitCode);
                Assert.Equal(error, Assert.Single(r.StderrLines));
            }
        }

        [Fact]
        public void A_column_the_law_does_not_produce_exits_2()
        {
            using var dir = new TempDirectory();
            var json = JsonNode.Parse(File.ReadAllText(Repo.Case("quadratic_2d")))!;
            json["columns"]!.AsArray().Add("temperature");
            dir.Write("extra.json", json.ToJsonString());
            dir.Write("extra.csv", string.Join("\n", File.ReadAllLines(Path.Combine(Repo.Golden, "quadratic_2d.csv")).Select((l, i) => l + (i == 0 ? ",temperature" : ",0"))) + "\n");

            var r = Cli.Run(dir.Path, "replay", "extra.json");

            Assert.Equal(2, r.ExitCode);
            var line = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: extra.json and AeSgdm do not fit: the column 'temperature' needs the signal 'temperature', which the law does not have; its signals: L, T, V, S, rho, ", line, StringComparison.Ordinal);
            Assert.Contains(", alpha, ", line, StringComparison.Ordinal);
        }

        [Fact]
        public void Bad_laws_and_names_exit_2()
        {
            using var dir = new TempDirectory();
            dir.Write("broken.ae", Sources.SyntaxError("A"));
            dir.Write("cellonly.ae", "cell C { dim k = 2; state x: real[k] = 0; update { x' = x + 1; } }\n");

            var broken = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", "broken.ae");
            var unknown = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", Repo.SgdmLaw, "--name", "Nope");
            var noLaw = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", "cellonly.ae");
            var missingLaw = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", "nope.ae");

            Assert.Equal(2, broken.ExitCode);
            Assert.Equal(new[] { "broken.ae(1,15): " + Sources.SyntaxErrorMessage, "ae: error: broken.ae has 1 error; replay needs a law that checks cleanly ('ae check broken.ae')" }, broken.StderrLines);
            Assert.Equal(2, unknown.ExitCode);
            Assert.EndsWith("valid names: AeSgdm, AeSgdmNoResonance, AeSgdmLagged", Assert.Single(unknown.StderrLines), StringComparison.Ordinal);
            Assert.Equal(2, noLaw.ExitCode);
            Assert.Equal("ae: error: cellonly.ae has no law of the optimizer shape (input loss: real; input grad: real[n]; state theta: real[n]) to replay", Assert.Single(noLaw.StderrLines));
            Assert.Equal(2, missingLaw.ExitCode);
            Assert.Equal("ae: error: file not found: 'nope.ae'", Assert.Single(missingLaw.StderrLines));
        }

        [Theory]
        [InlineData(new string[0], "ae: error: no case file; name a golden case such as '../shared/golden/quadratic_2d.json'. Run 'ae replay --help'")]
        [InlineData(new[] { "a.json", "b.json" }, "ae: error: too many arguments: 'b.json'; ae replay takes one case file. Run 'ae replay --help'")]
        [InlineData(new[] { "a.json", "--format", "xml" }, "ae: error: invalid value 'xml' for '--format'; expected text or json. Run 'ae replay --help'")]
        [InlineData(new[] { "a.json", "--law" }, "ae: error: option '--law' needs a value: a .ae file (repeat it, or give a glob, for files checked together). Run 'ae replay --help'")]
        [InlineData(new[] { "a.json", "--seed", "3" }, "ae: error: unknown option '--seed'; valid options: --law, --name, --format, --backend, --help. Run 'ae replay --help'")]
        public void Bad_command_lines_exit_2(string[] args, string message)
        {
            var r = Cli.Run(Repo.Root, new[] { "replay" }.Concat(args).ToArray());
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(message, Assert.Single(r.StderrLines));
        }

        [Fact]
        public void A_cell_reference_given_to_replay_is_named_as_one()
        {
            var r = Cli.Run(Repo.Root, "replay", Path.Combine(Repo.Golden, "cell_amelayer.json"));
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: cell_amelayer.json: a cell reference (params, inputs, outputs, grads), not a controller case; check a cell against it with 'ae grad <cell.ae> cell_amelayer.json'", Assert.Single(r.StderrLines));
        }

        [Fact]
        public void Help_names_the_options_and_exit_codes()
        {
            var r = Cli.Run(Repo.Root, "replay", "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("  ae replay <case.json> [options]", r.StdoutLines);
            Assert.Contains("--law <FILE>", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("  2  Bad input", r.Stdout, StringComparison.Ordinal);
            var top = Cli.Run(Repo.Root, "--help");
            Assert.Contains(top.StdoutLines, l => l.StartsWith("  replay ", StringComparison.Ordinal));
            Assert.Contains(top.StdoutLines, l => l.StartsWith("  emit ", StringComparison.Ordinal));
            Assert.Equal(Cli.Run(Repo.Root, "help", "replay").Stdout, r.Stdout);
        }

        /// <summary>Writes <c>name.json</c> with the csv of <paramref name="csvFrom"/> (default quadratic_2d) beside it.</summary>
        internal static string WriteCase(TempDirectory dir, string name, JsonNode json, string csvFrom = "quadratic_2d")
        {
            string path = dir.Write(name + ".json", json.ToJsonString());
            File.Copy(Path.Combine(Repo.Golden, csvFrom + ".csv"), Path.Combine(dir.Path, name + ".csv"), overwrite: true);
            return path;
        }
    }
}
