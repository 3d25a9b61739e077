using System;
using System.Collections.Generic;
using AE.Runtime.Cells;

namespace AE.Experiments.Training
{
    /// <summary>
    /// <c>residual-dynamics</c> (seed 003): DynamicsModelResidual (<c>cells/residual_dynamics.ae</c>) fitted to the
    /// seed's path-dependent loss (the cell's objective, mean sum(g²) − 0.1 mean entropy(N)) on the seed's data:
    /// T = 360, m = 3, batch 32, <c>ys</c> and <c>rs</c> uniform in [0, 1), <c>N0 = softmax(rand(batch, m))</c>,
    /// <c>g0 = 0</c>; Adam at lr 1e-3 for 200 steps with the gradient norm clipped at 1.0, as the seed's script. The
    /// seed's alpha is a fixed buffer, so the optimizer leaves it as it is.
    /// </summary>
    public sealed class ResidualDynamicsTask : TrainingTask
    {
        public const int M = 3;

        private static readonly CellRequirement[] Needs =
        {
            new("input", "y_t", new[] { M }),
            new("input", "r_t", new[] { M }),
            new("state", "N", new[] { M }),
            new("state", "g", new[] { M }),
            new("param", "alpha", new[] { M }),
        };

        private static readonly string[] FrozenParams = { "alpha" };

        public override string Name => "residual-dynamics";

        public override string Seed => "003";

        public override string Description => "DynamicsModelResidual fitted to the seed's loss, gradient norm clipped at 1.0";

        public override int DefaultEpochs => 200;

        public override int DefaultBatch => 32;

        public override int DefaultTime => 360;

        public override double? ClipNorm => 1.0;

        public override IReadOnlyList<string> Frozen => FrozenParams;

        public override IReadOnlyList<CellRequirement> Requirements => Needs;

        public override void Prepare<T>(ICell<T> cell, Random random)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (random is null) throw new ArgumentNullException(nameof(random));
            // The seed's order: ys, rs, then N0 and g0.
            foreach (var name in new[] { "y_t", "r_t" })
            {
                var v = cell.Input(name);
                for (int i = 0; i < v.Length; i++) v[i] = T.CreateTruncating(random.NextDouble());
            }
            var n = cell.InitialState("N");
            Span<double> row = stackalloc double[M];
            for (int b = 0; b < cell.Batch; b++)
            {
                double sum = 0, max = double.NegativeInfinity;
                for (int k = 0; k < M; k++) { row[k] = random.NextDouble(); max = Math.Max(max, row[k]); }
                for (int k = 0; k < M; k++) { row[k] = Math.Exp(row[k] - max); sum += row[k]; }
                for (int k = 0; k < M; k++) n[b * M + k] = T.CreateTruncating(row[k] / sum);
            }
            cell.InitialState("g").Clear();
        }
    }
}
