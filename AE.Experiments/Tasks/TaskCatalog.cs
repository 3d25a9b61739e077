using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Experiments.Tasks
{
    /// <summary>An unknown task name; the one-line message lists the valid names.</summary>
    public sealed class UnknownTaskException : ArgumentException
    {
        public UnknownTaskException() { }

        public UnknownTaskException(string message) : base(message) { }

        public UnknownTaskException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary>The benchmark tasks by name. Each <see cref="Create"/> builds a fresh instance with the catalog's settings.</summary>
    public static class TaskCatalog
    {
        /// <summary>A catalog entry: the name, a one-line summary (without building the task) and the factory.</summary>
        public sealed record Entry(string Name, string Summary, Func<ITask> Create);

        private static readonly Entry[] All =
        {
            new("quadratic", "ill-conditioned quadratic, 20 dims, condition 1e2, rotated; optimum negative; exact gradient",
                () => new QuadraticTask("quadratic", dimension: 20, condition: 1e2, targetGap: 1e-6, defaultSteps: 2000)),
            new("quadratic-1e4", "ill-conditioned quadratic, 20 dims, condition 1e4, rotated; exact gradient",
                () => new QuadraticTask("quadratic-1e4", dimension: 20, condition: 1e4, targetGap: 1e-6, defaultSteps: 10000)),
            new("noisy-quadratic", "100-dim quadratic, eigenvalues 90% U(0,1) + 10% U(30,60), rotated; gradient + N(0, 1) noise",
                () => new NoisyQuadraticTask()),
            new("rosenbrock", "Rosenbrock 2-D from about (−1.2, 1); exact gradient",
                () => new RosenbrockTask("rosenbrock", dimension: 2)),
            new("rosenbrock-nd", "chained Rosenbrock, 10 dims; exact gradient",
                () => new RosenbrockTask("rosenbrock-nd", dimension: 10, defaultSteps: 20000)),
            new("linreg", "synthetic least squares, 200 × 20, feature scales 1 to 0.1; exact full-batch gradient",
                () => new LinearRegressionTask()),
            new("logreg-fashion", "10-class softmax regression on 2048 Fashion-MNIST images; minibatch gradient (needs dataset-fashion-mnist)",
                () => new FashionMnistLogisticTask()),
            new("delayed", "quadratic (20 dims, condition 1e2) whose gradient arrives 4 steps late",
                () => new DelayedQuadraticTask()),
            new("plateau", "clipped-sigmoid regression started in the saturated flat region; exact gradient",
                () => new PlateauTask()),
            new("scale-change", "quadratic whose loss and gradient are multiplied by 10 from step 200 on",
                () => new ScaleChangeTask()),
            new("moving-optimum", "quadratic whose optimum drifts 1e-3 per step after step 200",
                () => new MovingOptimumTask()),
        };

        /// <summary>Every entry, in catalog order.</summary>
        public static IReadOnlyList<Entry> Entries => All;

        /// <summary>The valid names, in catalog order.</summary>
        public static IReadOnlyList<string> Names { get; } = All.Select(e => e.Name).ToArray();

        /// <summary>Whether <paramref name="name"/> is a catalog name (exact, case-sensitive).</summary>
        public static bool Contains(string name) => All.Any(e => string.Equals(e.Name, name, StringComparison.Ordinal));

        /// <summary>A fresh instance of the named task.</summary>
        /// <exception cref="UnknownTaskException">not a catalog name; the one-line message lists the valid names</exception>
        /// <exception cref="DatasetNotFoundException"><c>logreg-fashion</c> without its data set installed</exception>
        public static ITask Create(string name)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            foreach (var entry in All)
                if (string.Equals(entry.Name, name, StringComparison.Ordinal)) return entry.Create();
            throw new UnknownTaskException("unknown task '" + name + "'; valid tasks: " + string.Join(", ", Names));
        }
    }
}
