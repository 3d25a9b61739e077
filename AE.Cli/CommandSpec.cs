using System;
using System.Collections.Generic;
using System.Globalization;

namespace AE.Cli
{
    /// <summary>How an option of <c>ae</c> takes its value.</summary>
    public enum OptionKind
    {
        /// <summary><c>--name VALUE</c> (or <c>--name=VALUE</c>), at most once.</summary>
        Value,

        /// <summary><c>--name VALUE</c>, any number of times; the values are read in order.</summary>
        Repeatable,

        /// <summary><c>--name</c> alone.</summary>
        Flag,
    }

    /// <summary>
    /// One option of a command as its command file declares it: the help shows <see cref="Description"/>,
    /// and a missing value is reported as <c>option 'NAME' needs a value: VALUE</c>.
    /// </summary>
    /// <param name="Name">The option, e.g. <c>--format</c>.</param>
    /// <param name="Value">What its value is, for the message when it is missing (e.g. <c>text or json</c>); empty for a flag.</param>
    /// <param name="Description">What it means and its default, for the help.</param>
    public sealed record OptionSpec(string Name, string Value, string Description, OptionKind Kind = OptionKind.Value)
    {
        /// <summary>The value's placeholder in the help (<c>--format &lt;text|json&gt;</c>); null: derived from the name.</summary>
        public string? HelpName { get; init; }

        /// <summary>The values shell completion offers; null: the words of a <see cref="HelpName"/> such as <c>text|json</c>, else none.</summary>
        public IReadOnlyList<string>? Choices { get; init; }

        /// <summary>What shell completion offers for the value.</summary>
        public IReadOnlyList<string> Completions => Choices ?? (HelpName is { } h && h.Contains('|') ? h.Split('|') : System.Array.Empty<string>());

        /// <summary>Accepted but left out of the help (e.g. a knob for tests).</summary>
        public bool Hidden { get; init; }

        /// <summary>Set for a whole-number option: its bounds, checked as the command line is parsed.</summary>
        public WholeRange? Range { get; init; }

        /// <summary>This option as one whose value is a whole number from <paramref name="min"/> to <paramref name="max"/> (read with <see cref="CommandInput.Number"/>).</summary>
        public OptionSpec WholeNumber(long min = 1, long max = long.MaxValue) => this with { Range = new WholeRange(min, max) };

        /// <summary>Whether this is an output format: its <see cref="HelpName"/> is <c>text|json</c> or <c>table|json</c>, read with <see cref="CommandInput.Format"/>.</summary>
        public bool IsFormat { get; init; }

        /// <summary>This option as the output format (the first word of <see cref="HelpName"/> is <see cref="OutputFormat.Text"/>, the default).</summary>
        public OptionSpec AsFormat() => this with { IsFormat = true };

        /// <summary>The message for the option without its value.</summary>
        public string MissingValue => "option '" + Name + "' needs a value: " + Value;

        /// <summary>An option that takes no value.</summary>
        public static OptionSpec Flag(string name, string description) => new(name, "", description, OptionKind.Flag);

        /// <summary>This option with another description (a shared option whose default differs per command).</summary>
        public OptionSpec Describe(string description) => this with { Description = description };
    }

    /// <summary>The whole numbers an option accepts.</summary>
    public sealed record WholeRange(long Min, long Max)
    {
        /// <summary>What the message for a bad value says is expected.</summary>
        public string Expected => "a whole number from " + Min.ToString(CultureInfo.InvariantCulture)
            + " to " + (Max == long.MaxValue ? "2^63 - 1 (" + Max.ToString(CultureInfo.InvariantCulture) + ")" : Max.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The positional arguments of a command: how the help names and explains them.</summary>
    /// <param name="Name">The placeholder, e.g. <c>law.ae</c> (the help shows <c>&lt;law.ae&gt;...</c>).</param>
    /// <param name="EmptyMessage">The message for an empty argument (<c>""</c>).</param>
    public sealed record ArgumentSpec(string Name, string Description, string EmptyMessage = "empty argument")
    {
        /// <summary>
        /// How the help's usage line shows the positionals when not "[&lt;Name&gt;...]" (any number: every command parses any
        /// number and counts them itself, to word the message): <c>&lt;case.json&gt;</c> for exactly one.
        /// </summary>
        public string? Usage { get; init; }
    }

    /// <summary>
    /// One command of <c>ae</c>, declared in its own file: name, one-line summary, positionals, options,
    /// the text the help prints after the options, and the code that runs it on the parsed command line.
    /// <see cref="CommandLine"/> builds the System.CommandLine command from it; adding a command means
    /// declaring one of these and listing it in <see cref="CliApp.Commands"/>.
    /// </summary>
    /// <param name="Run">Runs the command on its parsed arguments; returns the exit code.</param>
    public sealed record CommandSpec(string Name, string Summary, Func<CommandInput, CliContext, int> Run)
    {
        /// <summary>The positionals; null: the command takes none.</summary>
        public ArgumentSpec? Arguments { get; init; }

        /// <summary>The options, in the order the help and the message for an unknown option list them.</summary>
        public IReadOnlyList<OptionSpec> Options { get; init; } = Array.Empty<OptionSpec>();

        /// <summary>What the help prints after the options: what the command does, its output and exit codes.</summary>
        public IReadOnlyList<string> Details { get; init; } = Array.Empty<string>();

        /// <summary>
        /// The command watches <see cref="CliContext.Cancellation"/> and stops cleanly on Ctrl-C or SIGTERM (it stores what it
        /// did, exit 130); for the others the signal ends the process at once, as it would any program.
        /// </summary>
        public bool StopsOnInterrupt { get; init; }
    }
}
