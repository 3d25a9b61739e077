using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>What every command gets from its <see cref="CommandSpec"/>: help, the error contract, response files, completion.</summary>
    public class CommandSpecTests
    {
        private static readonly string Cwd = Path.GetTempPath();

        public static IEnumerable<object[]> Commands => CliApp.Commands.Select(c => new object[] { c.Name });

        [Theory]
        [MemberData(nameof(Commands))]
        public void Help_of_a_command_lists_its_options_and_is_the_same_from_help(string name)
        {
            var spec = CliApp.Commands.Single(c => c.Name == name);

            var r = Cli.Run(Cwd, name, "--help");

            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Stderr);
            Assert.Contains(spec.Summary, r.Stdout.Replace(Environment.NewLine + "  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
            foreach (var option in spec.Options.Where(o => !o.Hidden))
                Assert.Contains(r.StdoutLines, l => l.TrimStart().StartsWith(option.Name + " ", StringComparison.Ordinal));
            foreach (var option in spec.Options.Where(o => o.Hidden))
                Assert.DoesNotContain(option.Name, r.Stdout, StringComparison.Ordinal);
            foreach (var line in spec.Details.Where(l => l.Length > 0))
                Assert.Contains(line, r.StdoutLines);
            Assert.Equal(r.Stdout, Cli.Run(Cwd, "help", name).Stdout);
        }

        [Theory]
        [MemberData(nameof(Commands))]
        public void An_unknown_option_is_one_line_naming_the_valid_ones_and_exit_2(string name)
        {
            var spec = CliApp.Commands.Single(c => c.Name == name);

            var r = Cli.Run(Cwd, name, "x.ae", "--no-such-option");

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("", r.Stdout);
            string valid = string.Join(", ", spec.Options.Where(o => !o.Hidden).Select(o => o.Name).Append("--help"));
            Assert.Equal("ae: error: unknown option '--no-such-option'; valid options: " + valid + ". Run 'ae " + name + " --help'", Assert.Single(r.StderrLines));
        }

        [Fact]
        public void The_top_level_help_lists_every_command_with_its_summary()
        {
            var r = Cli.Run(Cwd, "--help");

            Assert.Equal(0, r.ExitCode);
            foreach (var spec in CliApp.Commands)
                Assert.Contains(r.StdoutLines, l => l.StartsWith("  " + spec.Name + " ", StringComparison.Ordinal));
            Assert.Equal(r.Stdout, Cli.Run(Cwd, "help").Stdout);
        }

        [Fact]
        public void Help_of_an_unknown_command_is_one_line_and_exit_2()
        {
            var r = Cli.Run(Cwd, "help", "build");

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("ae: error: unknown command 'build'; valid commands: check, emit, replay, run, ablate, sweep, swarm, experiment, bench, grad, train, report, worker, help. Run 'ae --help'",
                Assert.Single(r.StderrLines));
        }

        [Fact]
        public void A_response_file_is_read_relative_to_the_current_directory()
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.SyntaxError("A"));
            dir.Write("args.rsp", "a.ae\n--format json\n");

            var r = Cli.Run(dir.Path, "check", "@args.rsp");

            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("{", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("\"a.ae\"", r.Stdout, StringComparison.Ordinal);
        }

        [Fact]
        public void A_missing_response_file_is_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();

            var r = Cli.Run(dir.Path, "check", "@nope.rsp");

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("ae: error: response file not found: 'nope.rsp'", Assert.Single(r.StderrLines));
        }

        [Fact]
        public void Response_files_nest_quote_and_comment_as_documented()
        {
            using var dir = new TempDirectory();
            dir.Write("my law.ae", Sources.SyntaxError("A"));
            dir.Write("outer.rsp", "# the file, quoted: it holds a space\n\"my law.ae\" @inner.rsp\n");
            dir.Write("inner.rsp", "--format   json\r\n");

            var r = Cli.Run(dir.Path, "check", "@outer.rsp");

            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("{", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("\"my law.ae\"", r.Stdout, StringComparison.Ordinal);
        }

        /// <summary>
        /// A chain of response files thousands deep overflowed the stack (a .NET stack trace, exit 134); a NUL in an argument
        /// was an internal error from the file API. Each is one line and exit 2; a chain within the limit expands.
        /// </summary>
        [Fact]
        public void Response_files_too_deep_or_with_a_NUL_are_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();
            dir.Write("min.ae", "law Min {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  update { theta' = theta - 0.01 * grad + 0 * loss; }\n}\n");
            for (int i = 0; i < 150; i++) dir.Write("r" + i + ".rsp", "@r" + (i + 1) + ".rsp\n");
            dir.Write("r150.rsp", "min.ae\n");
            var deep = Cli.Run(dir.Path, "check", "@r0.rsp");
            Assert.Equal(ExitCodes.Usage, deep.ExitCode);
            Assert.Equal("ae: error: response files nest more than 100 deep (r0.rsp -> r1.rsp -> ... -> r99.rsp -> r100.rsp)", Assert.Single(deep.StderrLines));
            var within = Cli.Run(dir.Path, "check", "@r60.rsp");
            Assert.True(within.ExitCode == 0, within.Stderr);

            dir.Write("nul.rsp", "min.ae\0\n");
            var nul = Cli.Run(dir.Path, "check", "@nul.rsp");
            Assert.Equal(ExitCodes.Usage, nul.ExitCode);
            Assert.Equal("ae: error: response file 'nul.rsp', line 1: an argument holds a NUL character", Assert.Single(nul.StderrLines));
        }

        /// <summary>A response file that names itself, directly or through another, was expanded until the stack overflowed.</summary>
        [Fact]
        public void A_response_file_that_includes_itself_or_a_folder_is_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();
            dir.Write("loop.rsp", "--format json\n@loop.rsp\n");
            dir.Write("a.rsp", "@b.rsp\n");
            dir.Write("b.rsp", "@a.rsp\n");
            System.IO.Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "folder.rsp"));

            var self = Cli.Run(dir.Path, "check", "@loop.rsp");
            Assert.Equal(ExitCodes.Usage, self.ExitCode);
            Assert.Equal("ae: error: response file 'loop.rsp' includes itself (loop.rsp -> loop.rsp)", Assert.Single(self.StderrLines));

            var mutual = Cli.Run(dir.Path, "check", "@a.rsp");
            Assert.Equal(ExitCodes.Usage, mutual.ExitCode);
            Assert.Equal("ae: error: response file 'a.rsp' includes itself (a.rsp -> b.rsp -> a.rsp)", Assert.Single(mutual.StderrLines));

            var folder = Cli.Run(dir.Path, "check", "@folder.rsp");
            Assert.Equal(ExitCodes.Usage, folder.ExitCode);
            Assert.Equal("ae: error: response file 'folder.rsp' is a folder", Assert.Single(folder.StderrLines));

            dir.Write("open.rsp", "# a comment with \" is fine\n--format json\n--name \"My Law\n");
            var open = Cli.Run(dir.Path, "check", "@open.rsp");
            Assert.Equal(ExitCodes.Usage, open.ExitCode);
            Assert.Equal("ae: error: response file 'open.rsp', line 3: a double quote is not closed", Assert.Single(open.StderrLines));
        }

        [Fact]
        public void The_suggest_directive_completes_options_for_the_shell()
        {
            var r = Cli.Run(Cwd, "[suggest:14]", "check --warnas");

            Assert.Equal(0, r.ExitCode);
            Assert.Equal(new[] { "--warnaserror" }, r.StdoutLines);
        }

        /// <summary>An option's values complete to what the command accepts (System.CommandLine offered an enum's member names, Json and Text, which ae refuses).</summary>
        [Theory]
        [InlineData("check --format ", "json", "text")]
        [InlineData("ablate --format ", "json", "table")]
        [InlineData("swarm --method ", "all", "independent", "pbt", "swarm")]
        [InlineData("grad --backend ", "csharp", "reference")]
        [InlineData("train --loss ", "mse", "spectral")]
        [InlineData("run --task plat", "plateau")]
        [InlineData("sweep --tasks plat", "plateau")]
        [InlineData("ablate --baselines adam", "adam", "adam-hd")]
        [InlineData("sweep --baselines n", "none")]
        [InlineData("train --optimizer ", "adam", "sgdm")]
        public void The_suggest_directive_completes_option_values(string line, params string[] expected)
        {
            var r = Cli.Run(Cwd, "[suggest:" + line.Length + "]", line);

            Assert.Equal(0, r.ExitCode);
            Assert.Equal(expected, r.StdoutLines);
        }

        /// <summary>Lines System.CommandLine's completion fails on give no suggestion, not an internal error.</summary>
        [Theory]
        [InlineData("[suggest:19]", "ae run x.ae --task=q")]
        [InlineData("[suggest:-1]", "ae run")]
        [InlineData("[suggest:abc]", "ae run")]
        public void Completion_of_a_line_it_cannot_read_suggests_nothing(string directive, string line)
        {
            var r = Cli.Run(Cwd, directive, line);

            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Stderr);
        }

        /// <summary>A value left out does not swallow the next option (a database named '--no-progress', the flag dropped).</summary>
        [Theory]
        [InlineData("ae: error: option '--db' needs a value: a SQLite database file. Run 'ae run --help'", "run", "x.ae", "--task", "quadratic", "--db", "--no-progress")]
        [InlineData("ae: error: option '--out' needs a value", "run", "x.ae", "--task", "quadratic", "--out", "--no-progress")]
        [InlineData("ae: error: option '--task' needs a value", "run", "x.ae", "--task", "--db", "t.db")]
        [InlineData("ae: error: option '--steps' needs a value", "run", "x.ae", "--task", "quadratic", "--steps", "--seed=3")]
        [InlineData("ae: error: option '--db' needs a value", "run", "x.ae", "--task", "quadratic", "--db", "--version")]
        public void An_option_is_not_taken_for_a_missing_value(string expected, params string[] args)
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, args);

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.StartsWith(expected, Assert.Single(r.StderrLines), StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
        }

        [Theory]
        [InlineData("ae: error: too many arguments: 'ae help' explains one command, got 2 ('check', 'run'). Run 'ae help --help'", "help", "check", "run")]
        [InlineData("ae: error: '--version' stands alone, got 2 arguments. Run 'ae --help'", "--version", "extra")]
        public void Help_and_version_refuse_extra_arguments(string expected, params string[] args)
        {
            var r = Cli.Run(Cwd, args);

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StderrLines));
        }

        [Theory]
        [InlineData("ae: error: option '--steps' needs a value: the step budget, a whole number. Run 'ae run --help'", "run", "x.ae", "--steps", "")]
        [InlineData("ae: error: option '--steps' needs a value: the step budget, a whole number. Run 'ae run --help'", "run", "x.ae", "--steps")]
        [InlineData("ae: error: invalid value '1e3' for '--steps'; expected a whole number from 1 to 1000000. Run 'ae run --help'", "run", "x.ae", "--steps", "1e3")]
        [InlineData("ae: error: invalid value '-1' for '--seed'; expected a whole number from 0 to 2^63 - 1 (9223372036854775807). Run 'ae run --help'", "run", "x.ae", "--seed=-1")]
        [InlineData("ae: error: invalid value '9223372036854775808' for '--seed'; expected a whole number from 0 to 2^63 - 1 (9223372036854775807). Run 'ae run --help'", "run", "x.ae", "--seed", "9223372036854775808")]
        [InlineData("ae: error: invalid value '1' for '--k'; expected a whole number from 2 to 256. Run 'ae swarm --help'", "swarm", "x.ae", "--k", "1")]
        public void A_whole_number_option_is_checked_as_it_is_parsed(string expected, params string[] args)
        {
            var r = Cli.Run(Cwd, args);

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StderrLines));
        }

        [Fact]
        public void A_command_declared_without_positionals_refuses_one_and_reads_its_options()
        {
            var spec = new CommandSpec("worker", "Take runs from a queue", (_, _) => ExitCodes.Success)
            {
                Options = new[] { new OptionSpec("--cluster", "a queue address", "The queue.") { HelpName = "ADDR" }, new OptionSpec("--jobs", "a whole number", "Runs at once.").WholeNumber(max: 64) },
            };
            var context = new CliContext(TextWriter.Null, TextWriter.Null, Cwd);

            var input = CommandLine.Parse(spec, new[] { "--cluster=q:1", "--jobs", "4" }, context);
            var error = Assert.Throws<CliException>(() => CommandLine.Parse(spec, new[] { "extra" }, context));

            Assert.Equal("q:1", input.Value("--cluster"));
            Assert.Equal(4, input.Number("--jobs"));
            Assert.Empty(input.Positionals);
            Assert.Equal("unexpected argument 'extra'. Run 'ae worker --help'", error.Message);
        }

        [Fact]
        public void An_option_given_twice_is_one_line_and_exit_2()
        {
            var r = Cli.Run(Cwd, "check", "a.ae", "--format", "json", "--format", "text");

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("ae: error: option '--format' is given twice. Run 'ae check --help'", Assert.Single(r.StderrLines));

            // a flag too (System.CommandLine takes it twice silently); after '--' it is a file's name
            var flag = Cli.Run(Cwd, "check", "a.ae", "--warnaserror", "--warnaserror");
            Assert.Equal(ExitCodes.Usage, flag.ExitCode);
            Assert.Equal("ae: error: option '--warnaserror' is given twice. Run 'ae check --help'", Assert.Single(flag.StderrLines));
            var file = Cli.Run(Cwd, "check", "--warnaserror", "--", "--warnaserror");
            Assert.DoesNotContain("given twice", file.Stderr, StringComparison.Ordinal);
        }
    }
}
