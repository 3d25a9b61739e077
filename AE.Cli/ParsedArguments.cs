using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Cli
{
    /// <summary>
    /// A command's arguments split into positionals and options: <c>--name value</c> or
    /// <c>--name=value</c> for options that take a value, bare flags, <c>-h</c>/<c>--help</c>/<c>-?</c> for help,
    /// <c>--</c> to end the options. Unknown or repeated options and a missing value are
    /// <see cref="CliException"/>s pointing at the command's help.
    /// </summary>
    internal sealed class ParsedArguments
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);

        private ParsedArguments() { }

        public List<string> Positionals { get; } = new();

        public bool ShowHelp { get; private set; }

        /// <summary>The value given for <paramref name="option"/> (e.g. <c>--law</c>), or null.</summary>
        public string? Value(string option) => _values.TryGetValue(option, out var v) ? v : null;

        /// <summary>Every value given for a repeatable option, in order (empty when it was not given).</summary>
        public IReadOnlyList<string> Values(string option) => _repeated.TryGetValue(option, out var v) ? v : (IReadOnlyList<string>)Array.Empty<string>();

        /// <summary>Whether the flag <paramref name="option"/> (e.g. <c>--warnaserror</c>) was given.</summary>
        public bool Has(string option) => _flags.Contains(option);

        /// <param name="valueOptions">options that take a value, with a word for the message when it is missing</param>
        /// <param name="flags">options that take no value</param>
        /// <param name="emptyPositional">what an empty positional argument is called in the message</param>
        /// <param name="repeatable">value options that may be given more than once (read with <see cref="Values"/>)</param>
        public static ParsedArguments Parse(IReadOnlyList<string> args, string command, IReadOnlyDictionary<string, string> valueOptions,
            IReadOnlyCollection<string>? flags = null, string emptyPositional = "empty argument", IReadOnlyCollection<string>? repeatable = null)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));
            var result = new ParsedArguments();
            bool onlyPositionals = false;
            for (int i = 0; i < args.Count; i++)
            {
                string arg = args[i];
                if (onlyPositionals || arg == "-" || !arg.StartsWith("-", StringComparison.Ordinal))
                {
                    if (arg.Length == 0) throw CliException.BadUsage(emptyPositional, command);
                    result.Positionals.Add(arg);
                    continue;
                }

                string option = arg;
                string? value = null;
                int equals = arg.IndexOf('=', StringComparison.Ordinal);
                if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
                {
                    option = arg.Substring(0, equals);
                    value = arg.Substring(equals + 1);
                }

                switch (option)
                {
                    case "--":
                        onlyPositionals = true;
                        continue;
                    case "-h":
                    case "--help":
                    case "-?":
                        result.ShowHelp = true;
                        return result;
                }

                if (flags != null && System.Linq.Enumerable.Contains(flags, option))
                {
                    if (value is not null) throw CliException.BadUsage("option '" + option + "' takes no value", command);
                    result._flags.Add(option);
                    continue;
                }
                if (!valueOptions.TryGetValue(option, out var what))
                {
                    var valid = System.Linq.Enumerable.Concat(valueOptions.Keys, flags ?? Array.Empty<string>()).Append("--help");
                    throw CliException.BadUsage("unknown option '" + option + "'; valid options: " + string.Join(", ", valid), command);
                }
                if (value is null)
                {
                    if (i + 1 >= args.Count) throw CliException.BadUsage("option '" + option + "' needs a value: " + what, command);
                    value = args[++i];
                }
                if (value.Length == 0) throw CliException.BadUsage("option '" + option + "' needs a value: " + what, command);
                if (repeatable != null && System.Linq.Enumerable.Contains(repeatable, option))
                {
                    if (!result._repeated.TryGetValue(option, out var list)) result._repeated.Add(option, list = new List<string>());
                    list.Add(value);
                    continue;
                }
                if (result._values.ContainsKey(option)) throw CliException.BadUsage("option '" + option + "' is given twice", command);
                result._values.Add(option, value);
            }
            return result;
        }
    }
}
