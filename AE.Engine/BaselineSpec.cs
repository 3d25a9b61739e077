using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Runtime;
using AE.Experiments.Baselines;

namespace AE.Engine
{
    /// <summary>
    /// A baseline of <see cref="BaselineCatalog"/> with its settings: the catalog's defaults, changed by
    /// <c>--baseline-set NAME.KEY=VALUE</c>. Keys: <c>lr</c> for every baseline (the fixed rate of sgdm and adam,
    /// the initial rate of sgd-hd and adam-hd); <c>momentum</c> for sgdm; <c>beta1</c>, <c>beta2</c>, <c>eps</c>
    /// for adam and adam-hd; <c>beta</c> (the hypergradient step) for sgd-hd and adam-hd.
    /// </summary>
    public sealed class BaselineSpec
    {
        private readonly Dictionary<string, double> _settings;

        /// <summary>The baseline <paramref name="name"/> of <see cref="BaselineCatalog"/> with its defaults, <paramref name="changes"/> applied (keys of <see cref="Keys"/>).</summary>
        public BaselineSpec(string name, IEnumerable<KeyValuePair<string, double>>? changes = null)
        {
            Name = name;
            _settings = Defaults(name);
            foreach (var (key, value) in changes ?? Array.Empty<KeyValuePair<string, double>>())
            {
                if (!_settings.ContainsKey(key)) throw new ArgumentException("the baseline " + name + " has no setting '" + key + "'", nameof(changes));
                _settings[key] = value;
            }
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

        public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
    }
}
