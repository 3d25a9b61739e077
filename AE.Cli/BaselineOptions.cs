using System;
using System.Collections.Generic;
using System.Linq;
using AE.Engine;
using AE.Experiments.Baselines;

namespace AE.Cli
{
    /// <summary>The baselines of <c>--baselines</c> and <c>--baseline-set</c> (ablate, sweep) as <see cref="BaselineSpec"/>s.</summary>
    internal static class BaselineOptions
    {
        /// <summary>
        /// The baselines of <c>--baselines</c> (null: <paramref name="defaults"/>; <c>none</c>: no baseline) with the
        /// <c>--baseline-set</c> items applied. An unknown baseline or key is one line listing the valid ones.
        /// </summary>
        public static List<BaselineSpec> Parse(string? baselines, IReadOnlyList<string> sets, IReadOnlyList<string> defaults, string command)
        {
            List<string> names;
            if (baselines is null) names = defaults.ToList();
            else if (baselines == "none") names = new List<string>();
            else names = Experiment.Items(new[] { baselines }, "--baselines", command);
            var valid = BaselineCatalog.Names;
            foreach (var name in names)
                if (!valid.Contains(name, StringComparer.Ordinal))
                    throw new CliException("unknown baseline '" + name + "' in --baselines; valid baselines: " + string.Join(", ", valid)
                        + (name == "none" ? " ('none' alone runs no baseline)" : " (or none alone)"));
            if (names.Distinct(StringComparer.Ordinal).Count() != names.Count) throw CliException.BadUsage("--baselines names a baseline twice", command);
            var changes = names.ToDictionary(n => n, _ => new Dictionary<string, double>(StringComparer.Ordinal), StringComparer.Ordinal);

            foreach (var (item, previous) in Experiment.ItemsAfter(sets, "--baseline-set", command))
            {
                int dot = item.IndexOf('.', StringComparison.Ordinal);
                int eq = item.IndexOf('=', StringComparison.Ordinal);
                if (dot <= 0 || eq <= dot + 1 || eq == item.Length - 1)
                    throw CliException.BadUsage("invalid --baseline-set '" + item + "'; expected NAME.KEY=VALUE, such as adam.lr=0.01" + Experiment.DecimalCommaHint(previous, item), command);
                string name = item.Substring(0, dot), key = item.Substring(dot + 1, eq - dot - 1), text = item.Substring(eq + 1);
                if (!valid.Contains(name, StringComparer.Ordinal))
                    throw new CliException("unknown baseline '" + name + "' in --baseline-set; valid baselines: " + string.Join(", ", valid));
                if (!changes.TryGetValue(name, out var set))
                    throw new CliException("--baseline-set sets " + name + ", which is not among the baselines run (" + (names.Count == 0 ? "none" : string.Join(", ", names)) + ")");
                if (command == SweepCommand.Name && key == "lr")
                    throw new CliException("--baseline-set " + name + ".lr: the sweep sets every baseline's initial rate from its grid; leave lr out");
                if (!BaselineSpec.Keys(name).Contains(key, StringComparer.Ordinal))
                    throw new CliException("unknown setting '" + key + "' of the baseline " + name + "; its settings: " + string.Join(", ", BaselineSpec.Keys(name)));
                if (!LawOptions.TryParseReal(text, out double v) || !double.IsFinite(v))
                    throw new CliException("invalid value '" + text + "' for " + name + "." + key + "; expected a finite number");
                if (!set.TryAdd(key, v))
                    throw CliException.BadUsage("--baseline-set sets " + name + "." + key + " twice", command);
            }
            var specs = names.Select(n => new BaselineSpec(n, changes[n])).ToList();
            // Let the constructors check the values now (a negative rate, beta outside [0, 1), ...).
            foreach (var spec in specs)
            {
                try
                {
                    spec.Create(1);
                }
                catch (ArgumentException ex)
                {
                    throw new CliException("invalid settings for the baseline " + spec.Name + ": " + MessageText.FirstLine(ex.Message), ex);
                }
            }
            return specs;
        }
    }
}
