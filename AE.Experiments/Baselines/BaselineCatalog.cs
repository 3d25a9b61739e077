using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Experiments.Baselines
{
    /// <summary>The baselines by name, for hosts that put them beside a law (<c>ae ablate</c>, <c>ae sweep</c>).</summary>
    public static class BaselineCatalog
    {
        /// <summary>A baseline: its name, the learning rate it starts from by default here, and a factory (n, lr).</summary>
        public sealed record Entry(string Name, string Summary, double DefaultLr, Func<int, double, BaselineLaw> Create);

        private static readonly Entry[] All =
        {
            new("sgdm", "SGD with momentum 0.9, fixed learning rate", 0.01, (n, lr) => new SgdMomentum(n, lr, 0.9)),
            new("adam", "Adam (0.9, 0.999, 1e-8), fixed learning rate", 1e-3, (n, lr) => new Adam(n, lr)),
            new("sgd-hd", "SGD with hypergradient descent on the learning rate, beta = 1e-3", 1e-3, (n, lr) => new HypergradientSgd(n, lr, 1e-3)),
            new("adam-hd", "Adam with hypergradient descent on the learning rate, beta = 1e-7", 1e-3, (n, lr) => new HypergradientAdam(n, lr, 1e-7)),
        };

        public static IReadOnlyList<Entry> Entries => All;

        public static IReadOnlyList<string> Names { get; } = All.Select(e => e.Name).ToArray();

        /// <summary>A fresh baseline for <paramref name="n"/> parameters, at <paramref name="lr"/> or its default learning rate.</summary>
        /// <exception cref="ArgumentException">an unknown name; the one-line message lists the valid ones</exception>
        public static BaselineLaw Create(string name, int n, double? lr = null)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            foreach (var e in All)
                if (string.Equals(e.Name, name, StringComparison.Ordinal)) return e.Create(n, lr ?? e.DefaultLr);
            throw new ArgumentException("unknown baseline '" + name + "'; valid baselines: " + string.Join(", ", Names), nameof(name));
        }
    }
}
