using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;

namespace AE.Cli
{
    /// <summary>
    /// The <c>ae</c> command line on System.CommandLine: builds its commands from the <see cref="CommandSpec"/>s,
    /// parses (response files <c>@file</c> relative to the current directory, the <c>[suggest]</c> directive for
    /// shell completion), turns a parse problem into one <see cref="CliException"/> in ae's wording, and
    /// invokes the command or the help.
    /// </summary>
    internal static class CommandLine
    {
        /// <summary>The width the help is wrapped to.</summary>
        private const int HelpWidth = 100;

        /// <summary>The root's description, the first thing <c>ae --help</c> prints.</summary>
        private const string Description = "ae - compiler for the AE equation language (*.ae files)";

        /// <summary>Parses <paramref name="args"/> against the commands of <paramref name="specs"/> and runs what they ask for; returns the exit code.</summary>
        public static int Invoke(IReadOnlyList<CommandSpec> specs, IReadOnlyList<string> args, CliContext context)
        {
            var tree = new Tree(specs, context);
            var responseErrors = new List<string>();
            var result = tree.Root.Parse(args, Configuration(context, responseErrors));
            // Whichever of --version and --help comes last would otherwise win and the other be dropped silently.
            if (!tree.IsDirective(result.Action) && AsksForVersion(result) && result.Tokens.Count > 1)
                throw VersionStandsAlone(result.Tokens.Count, args);
            if (!tree.IsHelpOrDirective(result.Action))
            {
                if (responseErrors.Count > 0) throw new CliException(responseErrors[0]);
                tree.Validate(result, args);
            }
            return result.Invoke(new InvocationConfiguration
            {
                Output = context.Stdout,
                Error = context.Stderr,
                // ae's own handler reports exceptions as one line, and Program wires Ctrl-C to the context's token.
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            });
        }

        /// <summary>
        /// Whether <c>--version</c> is one of the arguments (before <c>--</c>, and not taken as an option's missing
        /// value, which <see cref="Tree.Validate"/> reports): at the root, after a command, beside the help.
        /// </summary>
        private static bool AsksForVersion(ParseResult result)
        {
            var optionValues = result.CommandResult.Children.OfType<OptionResult>().SelectMany(o => o.Tokens).ToList();
            foreach (var token in result.Tokens)
            {
                if (token.Type == TokenType.DoubleDash) return false;
                if (token.Value == "--version" && !optionValues.Any(v => ReferenceEquals(v, token))) return true;
            }
            return false;
        }

        /// <summary>
        /// <c>ae --version</c> takes nothing else: neither a command nor the help, nor a value (<c>--version=1</c> is
        /// two tokens to the parser, so that case is named by what was typed, not counted).
        /// </summary>
        private static CliException VersionStandsAlone(int arguments, IReadOnlyList<string> args)
        {
            var withValue = args.FirstOrDefault(a => a.StartsWith("--version=", StringComparison.Ordinal) || a.StartsWith("--version:", StringComparison.Ordinal));
            return withValue != null
                ? CliException.BadUsage("'--version' takes no value, got '" + withValue + "'", "")
                : CliException.BadUsage("'--version' stands alone, got " + arguments + " arguments", "");
        }

        /// <summary>Parses <paramref name="args"/> of one command into its input (help and the run are not invoked).</summary>
        public static CommandInput Parse(CommandSpec spec, IReadOnlyList<string> args, CliContext context)
        {
            var tree = new Tree(new[] { spec }, context);
            var full = new[] { spec.Name }.Concat(args).ToList();
            var result = tree.Root.Parse(full, Configuration(context, new List<string>()));
            if (!tree.IsHelpOrDirective(result.Action)) tree.Validate(result, full);
            return tree.Input(result, tree.Built.Single());
        }

        /// <summary>Writes the help of <c>ae</c> (<paramref name="command"/> null) or of one command.</summary>
        public static void WriteHelp(IReadOnlyList<CommandSpec> specs, string? command, TextWriter output, CliContext context)
        {
            var tree = new Tree(specs, context);
            var args = command is null ? new[] { "--help" } : new[] { command, "--help" };
            tree.Root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = context.Stderr, EnableDefaultExceptionHandler = false });
        }

        /// <summary>Response files are read relative to the context's directory; an unreadable one is ae's one line.</summary>
        private static ParserConfiguration Configuration(CliContext context, List<string> responseErrors)
        {
            var configuration = new ParserConfiguration();
            configuration.ResponseFileTokenReplacer = (string token, out IReadOnlyList<string>? replacement, out string? error) =>
            {
                try
                {
                    replacement = ResponseFile.Expand(token, context.CurrentDirectory);
                    error = null;
                    return true;
                }
                catch (ResponseFileException ex)
                {
                    replacement = null;
                    error = ex.Message;
                    responseErrors.Add(error);
                    return false;
                }
            };
            return configuration;
        }

        /// <summary>A command as built: its spec, the System.CommandLine command, its positional argument and options by name.</summary>
        private sealed record BuiltCommand(CommandSpec Spec, Command Command, Argument<string[]> Positional, IReadOnlyDictionary<string, Option> Options);

        /// <summary>The root command with every command of one invocation, and the checks System.CommandLine leaves to ae.</summary>
        private sealed class Tree
        {
            private readonly HelpOption _help;
            private readonly VersionOption _version;

            public Tree(IReadOnlyList<CommandSpec> specs, CliContext context)
            {
                Root = new RootCommand(Description);
                Built = specs.Select(s => Build(s, context)).ToList();
                foreach (var built in Built) Root.Add(built.Command);
                _help = Root.Options.OfType<HelpOption>().Single();
                _help.Action = new DetailedHelp(Built, _help);
                _version = Root.Options.OfType<VersionOption>().Single();
                _version.Action = new PrintVersion();
            }

            public RootCommand Root { get; }

            /// <summary>Whether the parse ends in a directive (<c>[suggest]</c>), whose line is not ae's arguments.</summary>
            public bool IsDirective(CommandLineAction? action) => action is not null && Root.Directives.Any(d => d.Action == action);

            public IReadOnlyList<BuiltCommand> Built { get; }

            /// <summary>Whether the parse ends in the help, the version or a directive (<c>[suggest]</c>), which take no command's arguments.</summary>
            public bool IsHelpOrDirective(CommandLineAction? action)
                => action is not null && (action == _help.Action || action == _version.Action || Root.Directives.Any(d => d.Action == action));

            public CommandInput Input(ParseResult result, BuiltCommand built)
                => new(result, built.Options, result.GetValue(built.Positional) ?? Array.Empty<string>());

            private BuiltCommand Build(CommandSpec spec, CliContext context)
            {
                var command = new Command(spec.Name, spec.Summary);
                // Every command takes any number of positionals and checks their count itself, so that it words the message.
                var positional = new Argument<string[]>(spec.Arguments?.Name ?? "arguments")
                {
                    Arity = ArgumentArity.ZeroOrMore,
                    Description = spec.Arguments?.Description,
                    Hidden = spec.Arguments is null,
                };
                command.Add(positional);
                var options = new Dictionary<string, Option>(StringComparer.Ordinal);
                foreach (var option in spec.Options)
                {
                    var built = Build(option);
                    options.Add(option.Name, built);
                    command.Add(built);
                }
                var result = new BuiltCommand(spec, command, positional, options);
                command.SetAction(parsed =>
                {
                    if (spec.StopsOnInterrupt) context.StopsOnInterrupt?.Invoke();
                    return spec.Run(Input(parsed, result), context);
                });
                return result;
            }

            private static Option Build(OptionSpec spec)
            {
                Option option = spec.Kind switch
                {
                    OptionKind.Flag => new Option<bool>(spec.Name) { Arity = ArgumentArity.Zero },
                    OptionKind.Repeatable => new Option<string[]>(spec.Name),
                    _ when spec.Range is WholeRange range => new Option<long?>(spec.Name) { CustomParser = value => Whole(value, spec, range) },
                    _ when spec.IsFormat => new Option<OutputFormat>(spec.Name) { CustomParser = value => Format(value, spec) },
                    _ => new Option<string>(spec.Name),
                };
                option.Description = spec.Description;
                option.HelpName = spec.HelpName;
                option.Hidden = spec.Hidden;
                // System.CommandLine completes an enum-typed option with its member names (Json, Text), which ae refuses.
                option.CompletionSources.Clear();
                if (spec.Completions.Count > 0) option.CompletionSources.Add(spec.Completions.ToArray());
                return option;
            }

            /// <summary>The value of a whole-number option; a bad one is a parse error in ae's words.</summary>
            private static long? Whole(ArgumentResult value, OptionSpec spec, WholeRange range)
            {
                string text = value.Tokens.Count > 0 ? value.Tokens[0].Value : "";
                if (text.Length == 0)
                    value.AddError(spec.MissingValue);
                else if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long number) || number < range.Min || number > range.Max)
                    value.AddError("invalid value '" + text + "' for '" + spec.Name + "'; expected " + range.Expected);
                else
                    return number;
                return null;
            }

            /// <summary>The output format named by <c>--format</c>: the first of its words is text, <c>json</c> is JSON.</summary>
            private static OutputFormat Format(ArgumentResult value, OptionSpec spec)
            {
                string text = value.Tokens.Count > 0 ? value.Tokens[0].Value : "";
                var words = spec.HelpName!.Split('|');
                if (text == words[0]) return OutputFormat.Text;
                if (text == "json") return OutputFormat.Json;
                value.AddError(text.Length == 0 ? spec.MissingValue : "invalid value '" + text + "' for '" + spec.Name + "'; expected " + spec.Value);
                return OutputFormat.Text;
            }

            /// <summary>
            /// Throws the first problem of the command line in ae's words: an unknown command or option (System.CommandLine
            /// takes an unknown option for a positional), a value for a flag, a missing or empty value, an option given
            /// twice, an empty positional.
            /// </summary>
            public void Validate(ParseResult result, IReadOnlyList<string> args)
            {
                var built = Built.FirstOrDefault(b => b.Command == result.CommandResult.Command);
                if (built is null) throw AtRoot(args);
                var spec = built.Spec;
                var positionals = result.CommandResult.GetResult(built.Positional)?.Tokens ?? (IReadOnlyList<Token>)Array.Empty<Token>();
                if (UnknownOption(result, positionals) is string unknown)
                    throw CliException.BadUsage("unknown option '" + unknown + "'; valid options: "
                        + string.Join(", ", spec.Options.Where(o => !o.Hidden).Select(o => o.Name).Append("--help")), spec.Name);
                foreach (var flag in spec.Options.Where(o => o.Kind == OptionKind.Flag))
                    if (args.Any(a => a.StartsWith(flag.Name + "=", StringComparison.Ordinal)))
                        throw CliException.BadUsage("option '" + flag.Name + "' takes no value", spec.Name);
                // System.CommandLine takes a flag twice silently; an option with a value twice is its error (Translate).
                var options = args.TakeWhile(a => a != "--").ToList();
                foreach (var flag in spec.Options.Where(o => o.Kind == OptionKind.Flag))
                    if (options.Count(a => a == flag.Name) > 1)
                        throw CliException.BadUsage("option '" + flag.Name + "' is given twice", spec.Name);
                foreach (var option in spec.Options.Where(o => o.Kind != OptionKind.Flag))
                    if (result.GetResult(built.Options[option.Name]) is OptionResult given && given.Tokens.Any(t => IsOptionName(t.Value, spec)))
                        throw NeedsValue(option, spec);
                foreach (var error in result.Errors) throw Translate(error, spec);
                foreach (var option in spec.Options.Where(o => o.Kind != OptionKind.Flag))
                    if (result.GetResult(built.Options[option.Name]) is OptionResult given && given.Tokens.Any(t => t.Value.Length == 0))
                        throw NeedsValue(option, spec);
                if (spec.Arguments is null && positionals.Count > 0) throw CliException.BadUsage("unexpected argument '" + positionals[0].Value + "'", spec.Name);
                if (positionals.Any(t => t.Value.Length == 0)) throw CliException.BadUsage(spec.Arguments?.EmptyMessage ?? "empty argument", spec.Name);
            }

            /// <summary>
            /// Whether a value is one of the command's option names: <c>--db --no-progress</c> left out --db's value, and
            /// System.CommandLine took the next option for it (a database named --no-progress, the flag dropped).
            /// </summary>
            private static bool IsOptionName(string value, CommandSpec spec)
                => value.StartsWith('-') && (value is "--help" or "-h" or "-?" or "--version" || spec.Options.Any(o => o.Name == value || value.StartsWith(o.Name + "=", StringComparison.Ordinal)));

            private CliException AtRoot(IReadOnlyList<string> args)
            {
                string first = args[0];
                if (first.StartsWith('-') && first.Length > 1)
                    return CliException.BadUsage("unknown option '" + first + "'; valid options: --help, --version", "");
                return CliException.BadUsage("unknown command '" + first + "'; valid commands: " + string.Join(", ", Built.Select(b => b.Spec.Name)), "");
            }

            /// <summary>The first positional before <c>--</c> that looks like an option.</summary>
            private static string? UnknownOption(ParseResult result, IReadOnlyList<Token> positionals)
            {
                int doubleDash = IndexOf(result.Tokens, t => t.Type == TokenType.DoubleDash);
                foreach (var token in positionals)
                {
                    int at = IndexOf(result.Tokens, t => ReferenceEquals(t, token));
                    bool beforeDoubleDash = doubleDash < 0 || at < doubleDash;
                    if (beforeDoubleDash && token.Value.Length > 1 && token.Value[0] == '-') return token.Value;
                }
                return null;
            }

            private static int IndexOf(IReadOnlyList<Token> tokens, Func<Token, bool> match)
            {
                for (int i = 0; i < tokens.Count; i++)
                    if (match(tokens[i])) return i;
                return -1;
            }

            private static CliException Translate(ParseError error, CommandSpec spec)
            {
                if (error.SymbolResult is OptionResult given && spec.Options.FirstOrDefault(o => o.Name == given.Option.Name) is OptionSpec option)
                {
                    if (given.Tokens.Count == 0) return NeedsValue(option, spec);
                    if (given.Tokens.Count > 1) return CliException.BadUsage("option '" + option.Name + "' is given twice", spec.Name);
                }
                return CliException.BadUsage(error.Message.TrimEnd('.'), spec.Name);
            }

            private static CliException NeedsValue(OptionSpec option, CommandSpec spec) => CliException.BadUsage(option.MissingValue, spec.Name);
        }

        /// <summary>System.CommandLine's help (description, usage, arguments, options), then the command's <see cref="CommandSpec.Details"/>.</summary>
        private sealed class DetailedHelp : SynchronousCommandLineAction
        {
            private static readonly string[] RootDetails = { "Run 'ae <command> --help' for the arguments and options of a command." };

            private readonly IReadOnlyList<BuiltCommand> _commands;
            private readonly HelpOption _option;

            public DetailedHelp(IReadOnlyList<BuiltCommand> commands, HelpOption option)
            {
                _commands = commands;
                _option = option;
            }

            public override bool ClearsParseErrors => true;

            public override int Invoke(ParseResult parseResult)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.Write(Generated(parseResult));
                var command = parseResult.CommandResult.Command;
                foreach (var line in _commands.FirstOrDefault(c => c.Command == command)?.Spec.Details ?? RootDetails) output.WriteLine(line);
                return ExitCodes.Success;
            }

            /// <summary>
            /// System.CommandLine's own help of the command, written to a string: the usage lines name the executable,
            /// and in-process hosts (the tests) are not called ae, so the help says 'ae' whatever the host is.
            /// </summary>
            private string Generated(ParseResult parseResult)
            {
                var root = (RootCommand)parseResult.RootCommandResult.Command;
                var command = parseResult.CommandResult.Command;
                var args = command == root ? new[] { "--help" } : new[] { command.Name, "--help" };
                using var help = new StringWriter();
                var own = _option.Action;
                _option.Action = new HelpAction { MaxWidth = HelpWidth };
                try
                {
                    root.Parse(args).Invoke(new InvocationConfiguration { Output = help, EnableDefaultExceptionHandler = false });
                }
                finally
                {
                    _option.Action = own;
                }
                // System.CommandLine pads wrapped lines with the spaces it broke at.
                var lines = help.ToString().Split('\n').Select(l => l.TrimEnd());
                if (root.Name != "ae") lines = lines.Select(l => l.StartsWith("  " + root.Name + " ", StringComparison.Ordinal) ? "  ae" + l.Substring(2 + root.Name.Length) : l);
                if (_commands.FirstOrDefault(c => c.Command == command)?.Spec.Arguments is { Usage: string usage } arguments)
                    lines = lines.Select(l => l.StartsWith("  ae " + command.Name + " ", StringComparison.Ordinal) ? l.Replace("[<" + arguments.Name + ">...]", usage) : l);
                return string.Join(Environment.NewLine, lines.SkipLast(1)) + Environment.NewLine;
            }
        }

        /// <summary><c>ae --version</c>: the informational version, as it always printed.</summary>
        private sealed class PrintVersion : SynchronousCommandLineAction
        {
            public override bool ClearsParseErrors => true;

            public override int Invoke(ParseResult parseResult)
            {
                parseResult.InvocationConfiguration.Output.WriteLine(CliApp.Version);
                return ExitCodes.Success;
            }
        }
    }
}
