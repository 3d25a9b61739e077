using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// <c>ae grad &lt;law.ae&gt; --task T</c>: the smooth law's meta-gradients agree with central differences
    /// (exit 0); the seed's law is refused as not smooth (2) and, with --subgradients, differs at its kinks (1);
    /// bad input is one line (2).
    /// </summary>
    public class GradLawCommandTests
    {
        private const string Smooth = "examples/meta-gradients/ae_sgdm_smooth.ae";

        [Theory]
        [InlineData("quadratic", "0.3")]
        [InlineData("rosenbrock", "1e-3")]
        public void The_smooth_law_passes_on_a_quadratic_and_on_Rosenbrock(string task, string alpha)
        {
            var r = Cli.Run(Repo.Root, "grad", Smooth, "--task", task, "--steps", "40", "--set", "init_alpha=" + alpha);
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal("", r.Stderr);
            Assert.StartsWith("AeSgdmSmooth on " + task + ": 40 steps, seed 0, loss ", r.StdoutLines[0], StringComparison.Ordinal);
            Assert.StartsWith("PASS: all 28 meta-gradients agree", r.StdoutLines[^1], StringComparison.Ordinal);
            var row = Assert.Single(r.StdoutLines, l => l.StartsWith("init_alpha ", StringComparison.Ordinal));
            Assert.EndsWith(" ok", row, StringComparison.Ordinal);
        }

        /// <summary>A run that goes non-finite (a step of infinite size) has nothing to differentiate: said so, not "2 of 2 differ".</summary>
        [Fact]
        public void A_run_whose_loss_is_not_finite_fails_saying_so_not_that_the_gradients_differ()
        {
            using var dir = new TempDirectory();
            dir.Write("smooth.ae", "law Smooth {\n  dim n;\n  param init_alpha = 0.1, k = 0.5;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
                + "  coeff alpha in [1e-9, 10] log = init_alpha;\n  update \"step\" { theta' = theta - alpha' * k * grad; }\n}\n");

            var r = Cli.Run(dir.Path, "grad", "smooth.ae", "--task", "quadratic", "--steps", "3", "--set", "k=inf");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("FAIL: the run's loss after 3 steps is nan, so there is no meta-gradient to check; a setting may be out of the range where the law runs", r.StdoutLines[^1]);
            Assert.DoesNotContain(r.StdoutLines, l => l.Contains("DIFFERS", StringComparison.Ordinal));
            Assert.Contains(r.StdoutLines, l => l.StartsWith("init_alpha ", StringComparison.Ordinal) && l.EndsWith(" NOT FINITE", StringComparison.Ordinal));
        }

        [Fact]
        public void Json_gives_every_param_with_both_values_and_the_verdict()
        {
            var r = Cli.Run(Repo.Root, "grad", Smooth, "--case", Path.Combine(Repo.Golden, "quadratic_2d.json"), "--steps", "60",
                "--set", "init_alpha=0.1", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            var root = doc.RootElement;
            Assert.Equal("case:quadratic_2d", root.GetProperty("task").GetString());
            Assert.True(root.GetProperty("pass").GetBoolean());
            Assert.Equal(0, root.GetProperty("non_smooth").GetArrayLength());
            var ps = root.GetProperty("params").EnumerateArray().ToList();
            Assert.Equal(28, ps.Count);
            Assert.Equal(0.1, ps.Single(p => p.GetProperty("name").GetString() == "init_alpha").GetProperty("value").GetDouble());
            foreach (var p in ps)
            {
                double g = p.GetProperty("gradient").GetDouble(), fd = p.GetProperty("finite_difference").GetDouble();
                Assert.True(p.GetProperty("checked").GetBoolean());
                Assert.True(p.GetProperty("agrees").GetBoolean());
                Assert.True(Math.Abs(g - fd) <= p.GetProperty("tolerance").GetDouble(), p.ToString());
            }
            // the run descends from the case's start toward its optimum (-13/6)
            Assert.True(root.GetProperty("loss").GetDouble() < root.GetProperty("initial_loss").GetDouble());
        }

        [Fact]
        public void The_seed_law_is_refused_with_the_rule_and_position_of_its_first_construct_that_is_not_smooth()
        {
            var text = File.ReadAllText(Repo.SgdmLaw).Replace("\r\n", "\n", StringComparison.Ordinal);
            int offset = text.IndexOf("sanitize(grad", StringComparison.Ordinal);
            int line = text.Take(offset).Count(c => c == '\n') + 1;
            int column = offset - text.LastIndexOf('\n', offset - 1);
            var r = Cli.Run(Repo.Root, "grad", "laws/ae_sgdm.ae", "--task", "quadratic");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            var error = Assert.Single(r.StderrLines);
            Assert.StartsWith($"ae: error: law AeSgdm is not smooth (AE-9): 'sanitize' in rule AE1 at laws/ae_sgdm.ae({line},{column}) and ", error, StringComparison.Ordinal);
            Assert.Contains("--subgradients", error, StringComparison.Ordinal);
        }

        [Fact]
        public void With_subgradients_the_seed_law_runs_and_its_kinks_show_as_differences()
        {
            // sigma starts at its lower bound 0, a kink of clamp and max. The law takes no init_sigma below 0, so the
            // difference is one-sided, on the side the subgradient does not take: it differs, and the exit is 1. With
            // init_sigma 0 the law takes no other sigma_min than 0 (sigma's bounds would not hold its initial value),
            // and the disabled guards are infinite: those are not checked rather than measured at refused settings.
            var r = Cli.Run(Repo.Root, "grad", "laws/ae_sgdm.ae", "--task", "quadratic", "--steps", "30", "--subgradients", "--ablate", "AE5", "--set", "init_alpha=0.1");
            Assert.True(r.ExitCode == 1, r.Stdout + r.Stderr);
            Assert.Contains(r.StdoutLines, l => l.StartsWith("subgradients at ", StringComparison.Ordinal));
            Assert.Contains(r.StdoutLines, l => l.StartsWith("init_sigma ", StringComparison.Ordinal) && l.Contains("DIFFERS", StringComparison.Ordinal)
                && l.EndsWith("(forward difference: the law refuses the other side)", StringComparison.Ordinal));
            Assert.Contains(r.StdoutLines, l => l.StartsWith("sigma_min ", StringComparison.Ordinal) && l.EndsWith("not checked (the law takes no other value of it at these settings)", StringComparison.Ordinal));
            foreach (var name in new[] { "step_norm_max ", "clip_grad_norm " })
                Assert.Contains(r.StdoutLines, l => l.StartsWith(name, StringComparison.Ordinal) && l.EndsWith("not checked (infinite: it has no neighbours to difference)", StringComparison.Ordinal));
            Assert.Contains(r.StdoutLines, l => l.StartsWith("init_alpha ", StringComparison.Ordinal) && l.EndsWith(" ok", StringComparison.Ordinal));
            Assert.StartsWith("FAIL: 1 of 44 meta-gradients fail: 1 differs from its finite difference", r.StdoutLines[^1], StringComparison.Ordinal);
            Assert.EndsWith("; 3 not checked: infinite, or the law takes no other value of them at these settings", r.StdoutLines[^1], StringComparison.Ordinal);
            // In JSON a param not checked has no difference (null, as cli.md has a value that does not apply) and agrees
            // neither way: it read finite_difference "NaN" and agrees false, a failure to a reader of the JSON.
            var json = Cli.Run(Repo.Root, "grad", "laws/ae_sgdm.ae", "--task", "quadratic", "--steps", "30", "--subgradients", "--ablate", "AE5", "--set", "init_alpha=0.1", "--format", "json");
            using var doc = JsonDocument.Parse(json.Stdout);
            var ps = doc.RootElement.GetProperty("params").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
            foreach (var name in new[] { "sigma_min", "step_norm_max", "clip_grad_norm" })
            {
                Assert.False(ps[name].GetProperty("checked").GetBoolean());
                foreach (var key in new[] { "finite_difference", "step", "rel_diff", "tolerance", "agrees" })
                    Assert.Equal(JsonValueKind.Null, ps[name].GetProperty(key).ValueKind);
            }
            Assert.False(ps["init_sigma"].GetProperty("agrees").GetBoolean());
            Assert.True(ps["init_alpha"].GetProperty("agrees").GetBoolean());
        }

        /// <summary>
        /// A kink at the param's value itself: at a = b, max(a, b)'s subgradient splits evenly, and the central difference
        /// is the mean of the two one-sided derivatives at every step, so the two agreed ("ok", exit 0) where the derivative
        /// does not exist. The one-sided differences (below 0, above about -2.4 for a) say so; away from the tie the
        /// same law agrees.
        /// </summary>
        [Fact]
        public void A_kink_at_the_params_value_is_a_disagreement_with_its_one_sided_differences()
        {
            using var dir = new TempDirectory();
            dir.Write("tie.ae", @"law Tie {
  dim n;
  param lr = 0.1, a = 0.5, b = 0.5;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  update { theta' = theta - max(a, b) * lr * grad + 0 * loss; }
}
");
            var tie = Cli.Run(dir.Path, "grad", "tie.ae", "--task", "quadratic", "--steps", "30", "--subgradients");
            Assert.True(tie.ExitCode == 1, tie.Stdout + tie.Stderr);
            foreach (var name in new[] { "a ", "b " })
                Assert.Contains(tie.StdoutLines, l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains("DIFFERS: a kink at this value (one-sided differences ", StringComparison.Ordinal));
            Assert.Contains(tie.StdoutLines, l => l.StartsWith("lr ", StringComparison.Ordinal) && l.EndsWith(" ok", StringComparison.Ordinal));
            var json = Cli.Run(dir.Path, "grad", "tie.ae", "--task", "quadratic", "--steps", "30", "--subgradients", "--format", "json");
            using var doc = JsonDocument.Parse(json.Stdout);
            var a = doc.RootElement.GetProperty("params").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "a");
            Assert.Equal("kink", a.GetProperty("difference").GetString());
            Assert.False(a.GetProperty("agrees").GetBoolean());
            double left = a.GetProperty("left").GetDouble(), right = a.GetProperty("right").GetDouble();
            // below the tie max(a, b) is b, so the loss does not move with a; above it, it does
            Assert.True(right < -1e-3 && Math.Abs(left) < 1e-6 * Math.Abs(right), $"{left} {right}");
            // the subgradient (half of each side) is what the central difference saw
            double g = a.GetProperty("gradient").GetDouble();
            Assert.True(Math.Abs(g - (left + right) / 2) <= 1e-4 * Math.Abs(g), $"{g} against {(left + right) / 2}");
            var apart = Cli.Run(dir.Path, "grad", "tie.ae", "--task", "quadratic", "--steps", "30", "--subgradients", "--set", "a=0.4");
            Assert.True(apart.ExitCode == 0, apart.Stdout + apart.Stderr);
        }

        /// <summary>A law that is not smooth lists the constructs of its declarations too: they are differentiated.</summary>
        [Fact]
        public void The_constructs_of_a_laws_declarations_are_listed_as_not_smooth()
        {
            using var dir = new TempDirectory();
            dir.Write("decl.ae", @"law Decl {
  dim n;
  param lr = 0.1, a = 0.3, b = 0.5;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff alpha in [min(a, b), 1] = 0.6;
  update { alpha' = alpha * 0.99; theta' = theta - alpha' * lr * grad + 0 * loss; }
}
");
            var r = Cli.Run(dir.Path, "grad", "decl.ae", "--task", "quadratic", "--steps", "10");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("ae: error: law Decl is not smooth (AE-9): 'min' in the bounds of alpha at decl.ae(7,", Assert.Single(r.StderrLines), StringComparison.Ordinal);
            // over an int param the same 'max' is a fixed value, which carries no meta-gradient: not listed, and the law runs
            dir.Write("fixed.ae", @"law Fixed {
  dim n;
  param lr = 0.1, k: int = 3;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff alpha in [0.01 * max(k, 2), 1] = 0.6;
  update { alpha' = alpha * 0.99; theta' = theta - alpha' * lr * grad + 0 * loss; }
}
");
            var fixedMax = Cli.Run(dir.Path, "grad", "fixed.ae", "--task", "quadratic", "--steps", "10");
            Assert.True(fixedMax.ExitCode == 0, fixedMax.Stdout + fixedMax.Stderr);
        }

        private const string Momentum = @"law Mom {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state m: real[n] = 0;
  param lr in (0, 1] = 0.05;
  param mu in [0, 1) = 0.5;
  param k in [0, 1] = 0.2;
  signal scale: real = 1;
  rule Damp { scale = 1 / (1 + k * lr); }
  update {
    m' = mu * m + grad;
    theta' = theta - lr * scale * m';
  }
}
";

        /// <summary>
        /// A param 5e-9 above the end of its range (0, inf): the first step (1e-8) would run the law at −5e-9, which
        /// <c>ae grad --set e=-5e-9</c> refuses; the difference stays inside the range and agrees, in the text and in JSON.
        /// </summary>
        [Fact]
        public void A_difference_never_runs_the_law_at_a_setting_it_refuses()
        {
            using var dir = new TempDirectory();
            dir.Write("root.ae", @"law Root {
  dim n;
  param e in (0, inf) = 5e-9;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  update {
    theta' = theta - 0.001 * sqrt(e) * grad;
  }
}
");
            var r = Cli.Run(dir.Path, "grad", "root.ae", "--task", "rosenbrock", "--steps", "5");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            // The row agrees (the gradient itself is MetaGradientTests' closed form's business): value, gradient, difference, ok.
            Assert.Matches(@"^e +5e-09 +-?\d\S* +-?\d\S* +\S+ +ok$", Assert.Single(r.StdoutLines, l => l.StartsWith("e ", StringComparison.Ordinal)));
            Assert.StartsWith("PASS: the meta-gradient agrees with its finite difference", r.StdoutLines[^1], StringComparison.Ordinal);
            var refused = Cli.Run(dir.Path, "grad", "root.ae", "--task", "rosenbrock", "--steps", "5", "--set", "e=-5e-9");
            Assert.Equal(2, refused.ExitCode);
            var json = Cli.Run(dir.Path, "grad", "root.ae", "--task", "rosenbrock", "--steps", "5", "--format", "json");
            using var doc = System.Text.Json.JsonDocument.Parse(json.Stdout);
            var row = doc.RootElement.GetProperty("params")[0];
            Assert.True(row.GetProperty("agrees").GetBoolean());
            Assert.Contains(row.GetProperty("difference").GetString(), new[] { "forward", "central" });
            Assert.True(row.GetProperty("step").GetDouble() < 5e-9 || row.GetProperty("difference").GetString() == "forward");
        }

        /// <summary>As ae run does, the files are checked together: a variant whose base is in another file is differentiated.</summary>
        [Fact]
        public void Several_law_files_are_checked_together_and_name_picks_the_law()
        {
            using var dir = new TempDirectory();
            dir.Write("base/mom.ae", Momentum);
            dir.Write("variant/plain.ae", "law MomPlain = Mom without Damp;\n");
            var r = Cli.Run(dir.Path, "grad", "base/mom.ae", "variant/plain.ae", "--name", "MomPlain", "--task", "quadratic", "--steps", "20");
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Equal("", r.Stderr);
            Assert.StartsWith("MomPlain on quadratic: 20 steps, seed 0, loss ", r.StdoutLines[0], StringComparison.Ordinal);
            // without Damp, k reaches nothing: its meta-gradient is exactly 0
            Assert.Matches(@"^k +0\.2 +0 ", Assert.Single(r.StdoutLines, l => l.StartsWith("k ", StringComparison.Ordinal)));
            Assert.StartsWith("PASS: all 3 meta-gradients agree", r.StdoutLines[^1], StringComparison.Ordinal);

            // every number of the table in one form, as the other commands write them: 1e-08, not 1E-08
            var small = Cli.Run(dir.Path, "grad", "base/mom.ae", "--task", "quadratic", "--steps", "20", "--set", "k=1e-8");
            Assert.True(small.ExitCode == 0, small.Stdout + small.Stderr);
            Assert.StartsWith("k      1e-08         ", Assert.Single(small.StdoutLines, l => l.StartsWith("k ", StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.DoesNotMatch("[0-9]E[-+]", small.Stdout);

            var globbed = Cli.Run(dir.Path, "grad", "*/*.ae", "--task", "quadratic", "--steps", "20");
            Assert.True(globbed.ExitCode == 0, globbed.Stdout + globbed.Stderr);
            Assert.StartsWith("Mom on quadratic: ", globbed.StdoutLines[0], StringComparison.Ordinal);

            var alone = Cli.Run(dir.Path, "grad", "variant/plain.ae", "--task", "quadratic");
            Assert.Equal(2, alone.ExitCode);
            Assert.Contains(alone.StderrLines, l => l.Contains("variant/plain.ae", StringComparison.Ordinal) && l.Contains("error", StringComparison.Ordinal));
        }

        [Fact]
        public void The_count_of_constructs_that_are_not_smooth_agrees_with_its_verb()
        {
            using var dir = new TempDirectory();
            dir.Write("one.ae", Momentum.Replace("scale = 1 / (1 + k * lr);", "scale = 1 / (1 + abs(k) * lr);", StringComparison.Ordinal));
            var one = Cli.Run(dir.Path, "grad", "one.ae", "--task", "quadratic", "--steps", "10", "--subgradients");
            Assert.True(one.ExitCode == 0, one.Stdout + one.Stderr);
            Assert.Contains("subgradients at 1 construct that is not smooth: 'abs' in rule Damp at one.ae(11,", one.Stdout, StringComparison.Ordinal);
            dir.Write("two.ae", Momentum.Replace("scale = 1 / (1 + k * lr);", "scale = 1 / (1 + abs(k) * abs(lr));", StringComparison.Ordinal));
            var two = Cli.Run(dir.Path, "grad", "two.ae", "--task", "quadratic", "--steps", "10", "--subgradients");
            Assert.True(two.ExitCode == 0, two.Stdout + two.Stderr);
            Assert.Contains("subgradients at 2 constructs that are not smooth, first 'abs' in rule Damp at two.ae(11,", two.Stdout, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("no law file; name a .ae file", "--task", "quadratic")]
        [InlineData("'ref.json' is not a law file; a reference file is for a cell's gradient check", Smooth, "ref.json", "--task", "quadratic")]
        [InlineData("unknown task 'nope'", Smooth, "--task", "nope")]
        [InlineData("task plateau has no Hessian-vector product", Smooth, "--task", "plateau")]
        [InlineData("unknown param 'nope' in --set", Smooth, "--task", "quadratic", "--set", "nope=1")]
        [InlineData("invalid value 'x' for the real param k_p", Smooth, "--task", "quadratic", "--set", "k_p=x")]
        [InlineData("unknown or fixed rule 'AE1' in --ablate", Smooth, "--task", "quadratic", "--ablate", "AE1")]
        [InlineData("--ablate names the rule AE5 twice", Smooth, "--task", "quadratic", "--ablate", "AE5,AE5")]
        [InlineData("invalid value '0' for '--steps'", Smooth, "--task", "quadratic", "--steps", "0")]
        [InlineData("cells/ame_layer.ae has no law of the optimizer shape", "cells/ame_layer.ae", "--task", "quadratic")]
        [InlineData("law AeSgdmLagged is lagged", "laws/ae_sgdm.ae", "--task", "quadratic", "--name", "AeSgdmLagged")]
        [InlineData("'--steps' is for a law's meta-gradient", "cells/ame_layer.ae", "x.json", "--steps", "3")]
        [InlineData("'--backend' is for a cell's gradient check", Smooth, "--task", "quadratic", "--backend", "foo")]
        // the values a law's constructor refuses are refused here too: no meta-gradient of a law that cannot be built
        [InlineData("AeSgdm rejects its settings: param 'beta_mu' must lie in [0, 1) (given 2)", "laws/ae_sgdm.ae", "--subgradients", "--task", "quadratic", "--set", "beta_mu=2")]
        [InlineData("AeSgdm rejects its settings of init_alpha, alpha_min, alpha_max: the initial value of 'alpha' must lie in its bounds [1e-06, 1]", "laws/ae_sgdm.ae", "--subgradients", "--task", "quadratic", "--set", "init_alpha=5")]
        [InlineData("'--backend' is for a cell's gradient check", Smooth, "--task", "quadratic", "--backend", "reference")]
        [InlineData("expected a cell file and a reference file, or a law file and --task T", Smooth)]
        // a second value would replace the first silently, as every command that runs a law refuses
        [InlineData("--set sets the param init_alpha twice", Smooth, "--task", "quadratic", "--set", "init_alpha=0.3", "--set", "init_alpha=0.1")]
        public void Bad_input_is_one_line_and_exit_2(string message, params string[] args)
        {
            var r = Cli.Run(Repo.Root, new[] { "grad" }.Concat(args).ToArray());
            Assert.Equal(2, r.ExitCode);
            var error = Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: error: " + message, error, StringComparison.Ordinal);
        }

        /// <summary>A law with no real param has no meta-gradient: one line and exit 2, where it said "PASS: all 0 meta-gradients agree".</summary>
        [Fact]
        public void A_law_with_no_real_param_is_refused_not_passed()
        {
            using var dir = new TempDirectory();
            File.WriteAllText(Path.Combine(dir.Path, "fixed.ae"), "law Fixed {\n  dim n;\n  param every: int in [1, 10] = 2;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  update { theta' = theta - 0.01 * grad * every; }\n}\n");
            var r = Cli.Run(dir.Path, "grad", "fixed.ae", "--task", "quadratic");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: law Fixed has no real param to differentiate; ae grad measures d loss / d param for each of its real params", Assert.Single(r.StderrLines));
            Assert.Equal("", r.Stdout);
        }
    }
}
