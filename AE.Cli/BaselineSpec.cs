using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Runtime;
using AE.Experiments.Baselines;

namespace AE.Cli
{
    /// <summary>
    /// A baseline of <see cref="BaselineCatalog"/> with its settings: the catalog's defaults, changed by
    /// <c>--baseline-set NAME.KEY=VALUE</c>. Keys: <c>lr</c> for every baseline (the fixed rate of sgdm and adam,
    /// the initial rate of sgd-hd and adam-hd); <c>momentum</c> for sgdm; <c>beta1</c>, <c>beta2</c>, <c>eps</c>
    /// for adam and adam-hd; <c>beta</c> (the hypergradient step) for sgd-hd and adam-hd.
    /// </summary>
    internal sealed class BaselineSpec
    {
        private readonly Dictionary<string, double> _settings;

        private BaselineSpec(string name, Dictionary<string, double> settings)
        {
            Name = name;
            _settings = settings;
        }

        public string Name { get; }

        /// <summary>Every setting with its value, in a fixed order.</summary>
        public IReadOnlyList<(string Key, double Value)> Settings => Keys(Name).Select(k => (k, _settings[k])).ToList();

        /// <summary>The settings as <c>lr=0.001 beta1=0.9 ...</c>.</summary>
        public string Describe(bool sweptLr = false) => Name + " " + string.Join(" ", Settings.Select(s => s.Key + "=" + (sweptLr && s.Key == "lr" ? "swept" : Format(s.Value))));

        public string SettingsJson(double? lr = null)
            => "{" + string.Join(",", Settings.Select(s => Json.String(s.Key) + ":" + Json.Number(s.Key == "lr" && lr is double l ? l : s.Value))) + "}";

        /// <summary>A fresh optimizer for <paramref name="n"/> parameters; <paramref name="lr"/> replaces the (initial) rate.</summary>
        public IOptimizerLaw Create(int n, double? lr = null)
        {
            double rate = lr ?? _settings["lr"];
            return Name switch
            {
                "sgdm" => new SgdMomentum(n, rate, _settings["momentum"]),
                "adam" => new Adam(n, rate, _settings["beta1"], _settings["beta2"], _settings["eps"]),
                "sgd-hd" => new HypergradientSgd(n, rate, _settings["beta"]),
                "adam-hd" => new HypergradientAdam(n, rate, _settings["beta"], _settings["beta1"], _settings["beta2"], _settings["eps"]),
                _ => throw new InvalidOperationException("no constructor for the baseline " + Name),
            };
        }

        /// <summary>The keys a baseline takes, in order.</summary>
        public static IReadOnlyList<string> Keys(string name) => name switch
        {
            "sgdm" => new[] { "lr", "momentum" },
            "adam" => new[] { "lr", "beta1", "beta2", "eps" },
            "sgd-hd" => new[] { "lr", "beta" },
            "adam-hd" => new[] { "lr", "beta", "beta1", "beta2", "eps" },
            _ => Array.Empty<string>(),
        };

        private static Dictionary<string, double> Defaults(string name)
        {
            var entry = BaselineCatalog.Entries.First(e => e.Name == name);
            return name switch
            {
                "sgdm" => new() { ["lr"] = entry.DefaultLr, ["momentum"] = 0.9 },
                "adam" => new() { ["lr"] = entry.DefaultLr, ["beta1"] = 0.9, ["beta2"] = 0.999, ["eps"] = 1e-8 },
                "sgd-hd" => new() { ["lr"] = entry.DefaultLr, ["beta"] = 1e-3 },
                "adam-hd" => new() { ["lr"] = entry.DefaultLr, ["beta"] = 1e-7, ["beta1"] = 0.9, ["beta2"] = 0.999, ["eps"] = 1e-8 },
                _ => throw new InvalidOperationException("no defaults for the baseline " + name),
            };
        }

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
                    throw new CliException("unknown baseline '" + name + "' in --baselines; valid baselines: " + string.Join(", ", valid) + " (or none)");
            if (names.Distinct(StringComparer.Ordinal).Count() != names.Count) throw CliException.BadUsage("--baselines names a baseline twice", command);
            var specs = names.Select(n => new BaselineSpec(n, Defaults(n))).ToList();

            foreach (var item in Experiment.Items(sets, "--baseline-set", command))
            {
                int dot = item.IndexOf('.', StringComparison.Ordinal);
                int eq = item.IndexOf('=', StringComparison.Ordinal);
                if (dot <= 0 || eq <= dot + 1 || eq == item.Length - 1)
                    throw CliException.BadUsage("invalid --baseline-set '" + item + "'; expected NAME.KEY=VALUE, such as adam.lr=0.01", command);
                string name = item.Substring(0, dot), key = item.Substring(dot + 1, eq - dot - 1), text = item.Substring(eq + 1);
                if (!valid.Contains(name, StringComparer.Ordinal))
                    throw new CliException("unknown baseline '" + name + "' in --baseline-set; valid baselines: " + string.Join(", ", valid));
                var spec = specs.FirstOrDefault(s => s.Name == name)
                    ?? throw new CliException("--baseline-set sets " + name + ", which is not among the baselines run (" + (specs.Count == 0 ? "none" : string.Join(", ", specs.Select(s => s.Name))) + ")");
                if (!Keys(name).Contains(key, StringComparer.Ordinal))
                    throw new CliException("unknown setting '" + key + "' of the baseline " + name + "; its settings: " + string.Join(", ", Keys(name)));
                if (!Experiment.TryParseReal(text, out double v) || !double.IsFinite(v))
                    throw new CliException("invalid value '" + text + "' for " + name + "." + key + "; expected a finite number");
                spec._settings[key] = v;
            }
            // Let the constructors check the values now (a negative rate, beta outside [0, 1), ...).
            foreach (var spec in specs)
            {
                try
                {
                    spec.Create(1);
                }
                catch (ArgumentException ex)
                {
                    throw new CliException("invalid settings for the baseline " + spec.Name + ": " + ex.Message.Split('\n')[0].TrimEnd('\r'), ex);
                }
            }
            return specs;
        }

        internal static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
    }
}
