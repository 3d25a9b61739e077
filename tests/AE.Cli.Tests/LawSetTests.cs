using System;
using System.IO;
using System.Linq;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>
    /// Every command that takes a law takes several files checked together (a variant's base in
    /// another file), and checks run-time param values as the file's own values are checked.
    /// </summary>
    public sealed class LawSetTests
    {
        private const string Base = @"law MA ""momentum with a Greek rate"" {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state m: real[n] = 0;
  param μ in [0, 1) = 0.9;
  param α0 = 0.05;
  coeff α in [1e-4, 1] = α0;
  rule R1 ""shrink"" {
    α' = α * (loss > 1e3 ? 0.5 : 1);
  }
  update {
    m' = μ * m + grad;
    theta' = theta - α' * m';
  }
}
";

        private const string Variants = @"law MAfixed = MA without R1;
law MAlag = MA lagged;
";

        [Fact]
        public void A_law_with_Greek_names_runs()
        {
            using var dir = new TempDirectory();
            dir.Write("ma.ae", Base);
            var r = Cli.Run(dir.Path, "run", "ma.ae", "--task", "quadratic", "--steps", "200", "--no-progress", "--db", "runs.db");
            Assert.True(r.ExitCode is 0 or 1, r.Stdout + r.Stderr);
            Assert.Contains("final loss", r.Stdout, StringComparison.Ordinal);
        }

        [Fact]
        public void A_variant_in_its_own_file_runs_with_its_base_named_beside_it()
        {
            using var dir = new TempDirectory();
            dir.Write("base.ae", Base);
            dir.Write("variant.ae", Variants);

            // Named alone, the variant's base comes from base.ae beside it; in a folder of its own the base is unknown.
            var alone = Cli.Run(dir.Path, "run", "variant.ae", "--name", "MAfixed", "--task", "quadratic", "--steps", "50", "--no-progress", "--db", "runs.db");
            Assert.True(alone.ExitCode is 0 or 1, alone.Stdout + alone.Stderr);
            dir.Write("elsewhere/variant.ae", Variants);
            var lone = Cli.Run(dir.Path, "run", "elsewhere/variant.ae", "--name", "MAfixed", "--task", "quadratic", "--steps", "50", "--no-progress", "--db", "runs.db");
            Assert.Equal(2, lone.ExitCode);
            Assert.Contains("AE0010", lone.Stderr, StringComparison.Ordinal);

            var together = Cli.Run(dir.Path, "run", "base.ae", "variant.ae", "--name", "MAfixed", "--task", "quadratic", "--steps", "50", "--no-progress", "--db", "runs.db");
            Assert.True(together.ExitCode is 0 or 1, together.Stdout + together.Stderr);
            Assert.Contains("MAfixed", together.Stdout, StringComparison.Ordinal);

            var glob = Cli.Run(dir.Path, "emit", "*.ae", "--law", "MAlag");
            Assert.Equal(0, glob.ExitCode);
            Assert.Contains("public sealed unsafe partial class MAlag", glob.Stdout, StringComparison.Ordinal);
            Assert.Contains("// Lagged:", glob.Stdout, StringComparison.Ordinal);

            // replay takes --law once per file: the case's settings are AeSgdm's, which MAlag lacks, and the message names MAlag's params
            var golden = Cli.Run(dir.Path, "replay", Repo.Case("quadratic_2d"), "--law", "base.ae", "--law", "variant.ae", "--name", "MAlag");
            Assert.Equal(2, golden.ExitCode);
            Assert.Contains("is not a param of MAlag; its params: μ, α0", golden.Stderr, StringComparison.Ordinal);
        }

        [Fact]
        public void The_runs_of_several_files_record_one_hash_of_them_all()
        {
            using var dir = new TempDirectory();
            dir.Write("base.ae", Base);
            dir.Write("variant.ae", Variants);
            var r = Cli.Run(dir.Path, "run", "base.ae", "variant.ae", "--name", "MAfixed", "--task", "quadratic", "--steps", "20", "--no-progress", "--db", "runs.db");
            Assert.True(r.ExitCode is 0 or 1, r.Stderr);
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(dir.Path, "runs.db"));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT law_sha256 FROM runs";
            var stored = (string)command.ExecuteScalar()!;
            var expected = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
                File.ReadAllBytes(Path.Combine(dir.Path, "base.ae")).Concat(File.ReadAllBytes(Path.Combine(dir.Path, "variant.ae"))).ToArray())).ToLowerInvariant();
            Assert.Equal(expected, stored);
        }

        /// <summary>A law whose C# type has a suffix (named like a member, or like what C# takes for a type) runs like any other.</summary>
        [Theory]
        [InlineData("var")]
        [InlineData("Step")]
        [InlineData("record")]
        [InlineData("double")]
        public void A_law_whose_type_has_a_suffix_runs(string name)
        {
            using var dir = new TempDirectory();
            dir.Write("odd.ae", "law " + name + " {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  param lr = 0.1;\n  update { theta' = theta - lr * grad + 0 * loss; }\n}\n");
            var r = Cli.Run(dir.Path, "run", "odd.ae", "--task", "quadratic", "--steps", "5", "--no-progress", "--db", "runs.db");
            Assert.True(r.ExitCode is 0 or 1, r.Stderr);
            Assert.StartsWith(name + " (", r.StdoutLines[0], StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("μ=1", ": param 'μ' must lie in [0, 1) (given 1)")]
        // a derived check names the param the user set, not the coefficient's value it saw
        [InlineData("α0=20", " of α0: the initial value of 'α' must lie in its bounds [0.0001, 1]")]
        public void A_set_value_is_checked_as_the_file_checks_its_own(string set, string message)
        {
            using var dir = new TempDirectory();
            dir.Write("ma.ae", Base);
            var r = Cli.Run(dir.Path, "run", "ma.ae", "--task", "quadratic", "--set", set, "--no-progress", "--db", "runs.db");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: MA rejects its settings" + message, Assert.Single(r.StderrLines));
            Assert.False(File.Exists(Path.Combine(dir.Path, "runs.db")) && RunCount(Path.Combine(dir.Path, "runs.db")) > 0, "a rejected run was stored");
        }

        /// <summary>
        /// An initial value outside bounds that read params names every setting the check reads, the bounds' too: lowering
        /// lr_max below init_lr named only init_lr, which was not set.
        /// </summary>
        [Fact]
        public void An_initial_value_outside_bounds_set_from_params_names_the_bounds_params_too()
        {
            using var dir = new TempDirectory();
            dir.Write("multi.ae", """
                law Multi {
                  dim n;
                  param init_lr = 0.05, lr_max = 1;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  coeff lr in [1e-6, lr_max] = init_lr;
                  update { theta' = theta - lr * grad + 0 * loss; }
                }
                """);
            var r = Cli.Run(dir.Path, "run", "multi.ae", "--task", "quadratic", "--set", "lr_max=0.01", "--no-progress", "--db", "runs.db");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("ae: error: Multi rejects its settings of init_lr, lr_max: the initial value of 'lr' must lie in its bounds [1e-06, 0.01]", Assert.Single(r.StderrLines));
        }

        [Theory]
        [InlineData("9007199254740992", 0)]
        [InlineData("9007199254740993", 2)]
        [InlineData("-9007199254740993", 2)]
        [InlineData("-9223372036854775808", 2)]   // long.MinValue, whose magnitude no long holds
        [InlineData("1e3", 0)]
        [InlineData("1.5", 2)]
        [InlineData("1e300", 2)]
        [InlineData("nan", 2)]
        [InlineData("9.007199254740993e15", 2)]
        public void An_int_set_beyond_2_to_the_53_is_refused_as_the_checker_refuses_such_a_default(string value, int exit)
        {
            using var dir = new TempDirectory();
            dir.Write("count.ae", """
                law Count {
                  dim n;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  param k: int = 3;
                  update { theta' = theta - 0.01 * (k > 0 ? 1 : 0.5) * grad + 0 * loss; }
                }
                """);
            var r = Cli.Run(dir.Path, "run", "count.ae", "--task", "quadratic", "--steps", "3", "--set", "k=" + value, "--no-progress", "--db", "runs.db");
            if (exit == 0)
            {
                Assert.True(r.ExitCode is 0 or 1, r.Stderr);   // it runs (1: the target is not reached in 3 steps)
                return;
            }
            Assert.Equal(exit, r.ExitCode);
            Assert.Equal("ae: error: invalid value '" + value + "' for the int param k of Count; expected a whole number within ±2^53 (9007199254740992), such as 100 or 1e3", Assert.Single(r.StderrLines));
        }

        /// <summary>An int param's --set value is read as --n reads its sizes, in plain or scientific notation, and exactly.</summary>
        [Theory]
        [InlineData("1000", 1000L)]
        [InlineData("1e3", 1000L)]
        [InlineData("1E+3", 1000L)]
        [InlineData("2.5e3", 2500L)]
        [InlineData("2.50e1", 25L)]
        [InlineData("0.50e1", 5L)]
        [InlineData("-4e2", -400L)]
        [InlineData("+7", 7L)]
        [InlineData("1.0", 1L)]
        [InlineData("0e999999999999", 0L)]
        [InlineData("9007199254740992", 9007199254740992L)]
        [InlineData("9.007199254740992e15", 9007199254740992L)]
        [InlineData("-9007199254740992", -9007199254740992L)]
        [InlineData("1.5", null)]
        [InlineData("0.05e1", null)]
        [InlineData("1e-3", null)]
        [InlineData("1e300", null)]
        [InlineData("1e999999999999", null)]
        [InlineData("9007199254740993", null)]
        [InlineData("9.007199254740993e15", null)]   // through a double it would round to 2^53
        [InlineData("nan", null)]
        [InlineData("inf", null)]
        [InlineData("0x10", null)]
        [InlineData("1e", null)]
        [InlineData(".", null)]
        [InlineData("", null)]
        public void An_int_value_is_a_whole_number_in_plain_or_scientific_notation(string text, long? expected)
        {
            bool parsed = AE.Engine.LawOptions.TryParseWhole(text, out long value);
            Assert.Equal(expected is not null, parsed);
            if (expected is long whole) Assert.Equal(whole, value);
        }

        [Fact]
        public void A_require_that_a_set_value_breaks_names_the_require_and_no_value()
        {
            using var dir = new TempDirectory();
            dir.Write("gain.ae", """
                law Gain {
                  dim n;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  param eta in [0, 1] = 0.2;
                  param k_max = 2;
                  require small_gain: eta * k_max < 1;
                  update { theta' = theta - eta * grad + 0 * loss; }
                }
                """);
            var r = Cli.Run(dir.Path, "run", "gain.ae", "--task", "quadratic", "--set", "eta=0.9", "--no-progress", "--db", "runs.db");
            Assert.Equal(2, r.ExitCode);
            // The require reads two params and no one of them is out of its range: there is no "given" value to show; it names both.
            Assert.Equal("ae: error: Gain rejects its settings of eta, k_max: require 'small_gain' ((eta * k_max) < 1) does not hold with the given params", Assert.Single(r.StderrLines));
        }

        private static long RunCount(string db)
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + db);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM runs";
            try { return (long)command.ExecuteScalar()!; }
            catch (Microsoft.Data.Sqlite.SqliteException) { return 0; }
        }
    }
}
