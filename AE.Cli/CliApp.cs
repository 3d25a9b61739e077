using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// The <c>ae</c> command line, testable in-process: parses the command name, dispatches to a
    /// <see cref="CliCommand"/>, and turns every failure into one line on stderr and an exit code.
    /// </summary>
    public static class CliApp
    {
        /// <summary>Every command, in the order the usage lists them.</summary>
        public static IReadOnlyList<CliCommand> Commands { get; } = new[]
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
            WorkerCommand.Command,
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
            catch (Exception ex)
            {
                ReportInternalError(stderr, ex);
                return ExitCodes.InternalError;
            }
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
                context.Stderr.Write(Usage.TopLevel(Commands));
                return ExitCodes.Usage;
            }

            string first = args[0];
            switch (first)
            {
                case "-h":
                case "--help":
                case "-?":
                    context.Stdout.Write(Usage.TopLevel(Commands));
                    return ExitCodes.Success;
                case "help":
                    return Help(args.Skip(1).ToArray(), context);
                case "--version":
                    context.Stdout.WriteLine(Version);
                    return ExitCodes.Success;
            }

            var command = Find(first);
            if (command is not null) return command.Run(args.Skip(1).ToArray(), context);

            if (first.StartsWith("-", StringComparison.Ordinal) && first.Length > 1)
                throw CliException.BadUsage("unknown option '" + first + "'; valid options: --help, --version", "");
            throw CliException.BadUsage("unknown command '" + first + "'; valid commands: " + string.Join(", ", Commands.Select(c => c.Name).Append("help")), "");
        }

        /// <summary><c>ae help</c> prints the usage; <c>ae help check</c> prints check's help.</summary>
        private static int Help(string[] args, CliContext context)
        {
            if (args.Length == 0)
            {
                context.Stdout.Write(Usage.TopLevel(Commands));
                return ExitCodes.Success;
            }
            var command = Find(args[0])
                ?? throw CliException.BadUsage("unknown command '" + args[0] + "'; valid commands: " + string.Join(", ", Commands.Select(c => c.Name)), "");
            context.Stdout.Write(command.Help);
            return ExitCodes.Success;
        }

        private static CliCommand? Find(string name) => Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

        private static string OneLine(string text) => text.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ');
    }
}
