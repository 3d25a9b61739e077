using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// The <c>ae</c> command line, testable in-process: its commands (each a <see cref="CommandSpec"/>),
    /// parsed and invoked by <see cref="CommandLine"/>; every failure becomes one line on stderr and an exit code.
    /// </summary>
    public static class CliApp
    {
        /// <summary><c>ae help [command]</c>: the help of ae or of one command (as <c>ae command --help</c>).</summary>
        private static CommandSpec HelpCommand { get; } = new("help", "Show this help, or 'ae help <command>' for one command", Help)
        {
            Arguments = new ArgumentSpec("command", "The command to explain.") { Usage = "[<command>]" },
        };

        /// <summary>Every command, in the order the help lists them.</summary>
        public static IReadOnlyList<CommandSpec> Commands { get; } = new[]
        {
            CheckCommand.Command,
            EmitCommand.Command,
            ReplayCommand.Command,
            RunCommand.Command,
            AblateCommand.Command,
            SweepCommand.Command,
            SwarmCommand.Command,
            ExperimentCommand.Command,
            BenchCommand.Command,
            GradCommand.Command,
            TrainCommand.Command,
            ReportCommand.Command,
            WorkerCommand.Command,
            HelpCommand,
        };

        public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string currentDirectory)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));
            if (stdout is null) throw new ArgumentNullException(nameof(stdout));
            if (stderr is null) throw new ArgumentNullException(nameof(stderr));
            if (currentDirectory is null) throw new ArgumentNullException(nameof(currentDirectory));
            return Run(args, new CliContext(stdout, stderr, currentDirectory));
        }

        /// <summary>Runs <c>ae</c> in <paramref name="context"/> (streams, directory, Ctrl-C token, terminal); returns the exit code.</summary>
        public static int Run(string[] args, CliContext context)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));
            if (context is null) throw new ArgumentNullException(nameof(context));
            var stderr = context.Stderr;
            try
            {
                return Dispatch(args, context);
            }
            catch (Exception ex) when (ex is CliException or EngineException)
            {
                stderr.WriteLine("ae: error: " + OneLine(ex.Message));
                return ExitCodes.Usage;
            }
            catch (Exception ex) when (Unwrapped(ex) is OutOfMemoryException)
            {
                // A law or cell whose state does not fit: the input's size, not a bug (a constructor called by reflection wraps it).
                stderr.WriteLine("ae: error: not enough memory for this run (" + OneLine(Unwrapped(ex).Message) + "); a smaller dim, batch or time needs less");
                return ExitCodes.Usage;
            }
            catch (Exception ex)
            {
                ReportInternalError(stderr, Unwrapped(ex));
                return ExitCodes.InternalError;
            }
        }

        /// <summary>The exception a reflection call wrapped (a generated law's constructor), which says what went wrong.</summary>
        private static Exception Unwrapped(Exception ex)
        {
            while (ex is System.Reflection.TargetInvocationException { InnerException: { } inner }) ex = inner;
            return ex;
        }

        /// <summary>Writes <c>ae: internal error: Type: message</c> as a single line.</summary>
        public static void ReportInternalError(TextWriter stderr, Exception ex)
        {
            if (stderr is null) throw new ArgumentNullException(nameof(stderr));
            if (ex is null) throw new ArgumentNullException(nameof(ex));
            try
            {
                stderr.WriteLine("ae: internal error: " + OneLine(ex.GetType().Name + ": " + ex.Message));
            }
            catch (Exception)
            {
                // stderr itself is broken: there is nowhere left to report to.
            }
        }

        /// <summary>The assembly's informational version, e.g. <c>1.0.0+abc123</c>.</summary>
        public static string Version
        {
            get
            {
                var assembly = typeof(CliApp).Assembly;
                return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                    ?? assembly.GetName().Version?.ToString()
                    ?? "unknown";
            }
        }

        private static int Dispatch(string[] args, CliContext context)
        {
            if (args.Length == 0)
            {
                CommandLine.WriteHelp(Commands, null, context.Stderr, context);
                return ExitCodes.Usage;
            }
            try
            {
                return CommandLine.Invoke(Commands, args, context);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException && args[0].StartsWith("[suggest", StringComparison.Ordinal))
            {
                // System.CommandLine's completion throws on some partial lines ('--task=q') and on a position it cannot read
                // ('[suggest:-1]', '[suggest:abc]'): the shell gets no suggestion, as for a line with none, not an internal error.
                return ExitCodes.Success;
            }
        }

        private static int Help(CommandInput input, CliContext context)
        {
            if (input.Positionals.Count > 1)
                throw CliException.BadUsage("too many arguments: 'ae help' explains one command, got " + input.Positionals.Count + " ('" + string.Join("', '", input.Positionals) + "')", "help");
            string? command = input.Positionals.Count == 0 ? null : input.Positionals[0];
            if (command is not null && !Commands.Any(c => c.Name == command))
                throw CliException.BadUsage("unknown command '" + command + "'; valid commands: " + string.Join(", ", Commands.Select(c => c.Name)), "");
            CommandLine.WriteHelp(Commands, command, context.Stdout, context);
            return ExitCodes.Success;
        }

        private static string OneLine(string text) => text.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ');
    }
}
