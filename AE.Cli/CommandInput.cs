using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;

namespace AE.Cli
{
    /// <summary>
    /// A command's command line as System.CommandLine parsed it, read by option name: what a command's
    /// code turns into its typed options (it checks the values, so that a bad one names the option).
    /// </summary>
    public sealed class CommandInput
    {
        private readonly ParseResult _result;
        private readonly IReadOnlyDictionary<string, Option> _options;

        internal CommandInput(ParseResult result, IReadOnlyDictionary<string, Option> options, IReadOnlyList<string> positionals)
        {
            _result = result;
            _options = options;
            Positionals = positionals;
        }

        /// <summary>The positional arguments, in order.</summary>
        public IReadOnlyList<string> Positionals { get; }

        /// <summary>The value given for <paramref name="option"/> (e.g. <c>--law</c>), or null.</summary>
        public string? Value(string option) => _result.GetValue<string>(Find<string>(option));

        /// <summary>The whole number given for <paramref name="option"/> (checked against its bounds as it was parsed), or null.</summary>
        public long? Number(string option) => _result.GetValue<long?>(Find<long?>(option));

        /// <summary>The output format of <c>--format</c> (text when it was not given).</summary>
        public OutputFormat Format() => _result.GetValue<OutputFormat>(Find<OutputFormat>("--format"));

        /// <summary>Every value given for a repeatable option, in order (empty when it was not given).</summary>
        public IReadOnlyList<string> Values(string option) => _result.GetValue<string[]>(Find<string[]>(option)) ?? Array.Empty<string>();

        /// <summary>Whether the flag <paramref name="option"/> (e.g. <c>--warnaserror</c>) was given.</summary>
        public bool Has(string option) => _result.GetValue<bool>(Find<bool>(option));

        /// <summary>The options given on the command line, by name.</summary>
        public IEnumerable<string> Given => _options.Where(o => _result.GetResult(o.Value) is { Implicit: false }).Select(o => o.Key);

        private Option<T> Find<T>(string option)
            => _options.TryGetValue(option, out var found) && found is Option<T> typed
                ? typed
                : throw new InvalidOperationException("the command declares no " + typeof(T).Name + " option '" + option + "'");
    }
}
