using System;
using System.IO;
using Xunit;

namespace AE.Cli.Tests
{
    public class CommandLineTests
    {
        private static readonly string Cwd = Path.GetTempPath();

        [Theory]
        [InlineData("--help")]
        [InlineData("-h")]
        [InlineData("help")]
        public void Explicit_help_prints_usage_on_stdout_and_exits_0(string flag)
        {
            var r = Cli.Run(Cwd, flag);

            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Stderr);
            Assert.Contains("  ae [command] [options]", r.StdoutLines);
            Assert.Contains(r.StdoutLines, l => l.TrimStart().StartsWith("check ", StringComparison.Ordinal));
        }

        private sealed class RefusingWriter : TextWriter
        {
            private readonly Exception _refusal;
            public RefusingWriter(Exception refusal) => _refusal = refusal;
            public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
            public override void Write(char value) => throw _refusal;
            public override void Write(string? value) => throw _refusal;
            public override void WriteLine(string? value) => throw _refusal;
        }

        /// <summary>
        /// stdout closed (<c>&gt;&amp;-</c>: EBADF, "Access to the path is denied") or on a full disk (<c>&gt; /dev/full</c>) was
        /// "internal error" and exit 3: it is one line naming standard output, exit 2.
        /// </summary>
        [Theory]
        [InlineData("closed")]
        [InlineData("full")]
        public void A_standard_output_the_system_refuses_is_one_line_and_exit_2(string how)
        {
            Exception refusal = how == "closed" ? new UnauthorizedAccessException("Access to the path is denied.") : new IOException("No space left on device");
            var stderr = new StringWriter();
            int code = CliApp.Run(new[] { "check", Repo.SgdmLaw }, new CliContext(new StdoutWriter(new RefusingWriter(refusal)), stderr, Repo.Root));
            Assert.Equal(2, code);
            Assert.Equal("ae: error: cannot write to standard output (" + refusal.Message.TrimEnd('.') + "): is it closed, or its disk full?" + Environment.NewLine, stderr.ToString());
        }

        [Fact]
        public void No_arguments_prints_usage_on_stderr_and_exits_2()
        {
            var r = Cli.Run(Cwd);

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Contains("  ae [command] [options]", r.StderrLines);
            Assert.Contains("check", r.Stderr);
        }

        [Theory]
        [InlineData("check", "--help")]
        [InlineData("check", "-h")]
        [InlineData("help", "check")]
        [InlineData("check", "a.ae", "--help")]
        public void Check_help_explains_arguments_options_output_and_exit_codes(params string[] args)
        {
            var r = Cli.Run(Cwd, args);

            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Stderr);
            Assert.Contains("  ae check [<files or globs>...] [options]", r.StdoutLines);
            Assert.Contains("--warnaserror", r.Stdout);
            Assert.Contains("--format <text|json>", r.Stdout);
            Assert.Contains("**/*.ae", r.Stdout);
            Assert.Contains("Exit codes:", r.Stdout);
            Assert.Contains("\"diagnostics\"", r.Stdout);
        }

        [Fact]
        public void Version_prints_the_informational_version()
        {
            var r = Cli.Run(Cwd, "--version");

            Assert.Equal(0, r.ExitCode);
            Assert.Equal(new[] { CliApp.Version }, r.StdoutLines);
            Assert.Matches(@"^\d+\.\d+\.\d+", CliApp.Version);
        }

        /// <summary>
        /// --version beside anything else is refused whatever the order: System.CommandLine runs whichever of --version
        /// and --help comes last and drops the other, so 'ae --version --help' printed the help and 'ae --help --version'
        /// was refused.
        /// </summary>
        [Theory]
        [InlineData(2, "--version", "--help")]
        [InlineData(2, "--help", "--version")]
        [InlineData(2, "--version", "-h")]
        [InlineData(2, "-?", "--version")]
        [InlineData(2, "--version", "help")]
        [InlineData(2, "help", "--version")]
        [InlineData(2, "--version", "check")]
        [InlineData(2, "check", "--version")]
        [InlineData(3, "check", "--help", "--version")]
        [InlineData(3, "check", "--version", "--help")]
        [InlineData(2, "--version", "--version")]
        public void Version_with_any_other_argument_is_one_line_and_exit_2(int count, params string[] args)
        {
            var r = Cli.Run(Cwd, args);

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal("ae: error: '--version' stands alone, got " + count + " arguments. Run 'ae --help'", Assert.Single(r.StderrLines));
        }

        /// <summary>A value given to --version is named as typed: the parser splits '--version=1' into two tokens, which "got 2 arguments" miscounted.</summary>
        [Theory]
        [InlineData("--version=1")]
        [InlineData("--version:yes")]
        public void Version_with_a_value_is_named_as_typed(string arg)
        {
            var r = Cli.Run(Cwd, arg);
            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal("ae: error: '--version' takes no value, got '" + arg + "'. Run 'ae --help'", Assert.Single(r.StderrLines));
        }

        /// <summary>The help options and 'ae help' combined print the help of the command they name, never an error.</summary>
        [Theory]
        [InlineData("  ae [command] [options]", "--help", "-h")]
        [InlineData("  ae [command] [options]", "-?", "--help")]
        [InlineData("  ae check [<files or globs>...] [options]", "--help", "check")]
        [InlineData("  ae check [<files or globs>...] [options]", "check", "--help", "-h")]
        [InlineData("  ae help [<command>] [options]", "help", "--help")]
        [InlineData("  ae help [<command>] [options]", "--help", "help")]
        public void Help_options_together_print_the_help_of_the_command_named(string usage, params string[] args)
        {
            var r = Cli.Run(Cwd, args);

            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Stderr);
            Assert.Contains(usage, r.StdoutLines);
        }

        [Fact]
        public void After_a_double_dash_version_is_a_file_name()
        {
            var r = Cli.Run(Cwd, "check", "--", "--version");

            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Equal("ae: error: file not found: '--version'", Assert.Single(r.StderrLines));
        }

        [Fact]
        public void Unknown_command_lists_the_valid_ones_and_exits_2()
        {
            var r = Cli.Run(Cwd, "build", "x.ae");

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal(new[] { "ae: error: unknown command 'build'; valid commands: check, emit, replay, run, ablate, sweep, swarm, experiment, bench, grad, train, report, worker, help. Run 'ae --help'" }, r.StderrLines);
        }

        [Fact]
        public void Unknown_top_level_option_exits_2()
        {
            var r = Cli.Run(Cwd, "--frobnicate");

            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: unknown option '--frobnicate'; valid options: --help, --version. Run 'ae --help'" }, r.StderrLines);
        }

        [Theory]
        [InlineData("ae: error: unknown option '--bogus'; valid options: --format, --warnaserror, --help. Run 'ae check --help'", "check", "a.ae", "--bogus")]
        [InlineData("ae: error: unknown option '-x'; valid options: --format, --warnaserror, --help. Run 'ae check --help'", "check", "-x", "a.ae")]
        [InlineData("ae: error: no input files; name .ae files or globs such as '**/*.ae'. Run 'ae check --help'", "check")]
        [InlineData("ae: error: no input files; name .ae files or globs such as '**/*.ae'. Run 'ae check --help'", "check", "--warnaserror")]
        [InlineData("ae: error: option '--format' needs a value: text or json. Run 'ae check --help'", "check", "a.ae", "--format")]
        [InlineData("ae: error: invalid value 'xml' for '--format'; expected text or json. Run 'ae check --help'", "check", "a.ae", "--format", "xml")]
        [InlineData("ae: error: option '--format' needs a value: text or json. Run 'ae check --help'", "check", "a.ae", "--format=")]
        [InlineData("ae: error: option '--warnaserror' takes no value. Run 'ae check --help'", "check", "a.ae", "--warnaserror=true")]
        // a value left out: the next option is not taken for it
        [InlineData("ae: error: option '--format' needs a value: text or json. Run 'ae check --help'", "check", "a.ae", "--format", "--warnaserror")]
        [InlineData("ae: error: option '--format' needs a value: text or json. Run 'ae check --help'", "check", "a.ae", "--format", "--help")]
        public void Bad_check_command_lines_exit_2_with_one_line(string expected, params string[] args)
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.SyntaxError("A"));

            var r = Cli.Run(dir.Path, args);

            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Equal(new[] { expected }, r.StderrLines);
        }

        [Fact]
        public void Options_may_come_before_between_or_after_files()
        {
            var options = CheckCommand.Parse(new[] { "--format", "json", "a.ae", "--warnaserror", "b/*.ae" });

            Assert.Equal(new[] { "a.ae", "b/*.ae" }, options.Inputs);
            Assert.True(options.WarningsAsErrors);
            Assert.Equal(OutputFormat.Json, options.Format);
        }

        [Fact]
        public void Double_dash_makes_later_arguments_files()
        {
            using var dir = new TempDirectory();
            dir.Write("--odd.ae", Sources.SyntaxError("B"));

            var r = Cli.Run(dir.Path, "check", "--", "--odd.ae");

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("--odd.ae(1,15): " + Sources.SyntaxErrorMessage, r.StdoutLines[0]);
        }

        [Fact]
        public void Defaults_are_text_without_warnaserror()
        {
            var options = CheckCommand.Parse(new[] { "a.ae" });

            Assert.False(options.WarningsAsErrors);
            Assert.Equal(OutputFormat.Text, options.Format);
        }

        [Fact]
        public void Unexpected_exception_becomes_one_internal_error_line_and_exit_3()
        {
            // A relative "current directory" makes path resolution throw inside the command.
            var r = Cli.Run("not/absolute", "check", "a.ae");

            Assert.Equal(3, r.ExitCode);
            Assert.Single(r.StderrLines);
            Assert.StartsWith("ae: internal error: ArgumentException: ", r.StderrLines[0]);
        }

        [Fact]
        public void Failing_stdout_becomes_an_internal_error_not_a_stack_trace()
        {
            using var dir = new TempDirectory();
            dir.Write("a.ae", Sources.SyntaxError("C"));
            using var stderr = new StringWriter();

            int exit = CliApp.Run(new[] { "check", "a.ae" }, new ThrowingWriter(), stderr, dir.Path);

            Assert.Equal(3, exit);
            Assert.Equal("ae: internal error: IOException: broken pipe" + Environment.NewLine, stderr.ToString());
        }

        private sealed class ThrowingWriter : StringWriter
        {
            public override void Write(char value) => throw new IOException("broken pipe");
            public override void Write(string? value) => throw new IOException("broken pipe");
            public override void WriteLine(string? value) => throw new IOException("broken pipe");
        }
    }
}
