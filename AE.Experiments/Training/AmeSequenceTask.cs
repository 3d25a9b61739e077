using System;
using System.Collections.Generic;
using AE.Runtime.Cells;

namespace AE.Experiments.Training
{
    /// <summary>
    /// <c>ame-sequence</c> (seed 000): AMELayer (<c>cells/ame_layer.ae</c>: input 8, hidden 32, coeff 16) trained for
    /// next-step prediction of a synthetic multichannel signal, the task the seed proposes ("sequence prediction on
    /// sine waves"): channel c of sample b is <c>sin(ω_c t + φ_bc)</c> with <c>ω_c = 2π (2 + c) / 100</c> (periods 50,
    /// 33.3, 25, ... 11.1 steps) and the phase φ_bc uniform in [0, 2π); the input at step t is the signal at t, the
    /// target the signal at t + 1. Batch 16, T 50, Adam lr 1e-3. The cell's <c>eps</c> holds standard-normal draws
    /// fixed for the run. The held-out test split is another 16 sequences (other phases, other draws); the metrics
    /// are its MSE and, for scale, that of repeating the last value (<c>persistence_test_mse</c>).
    /// </summary>
    public sealed class AmeSequenceTask : TrainingTask
    {
        public const int Channels = 8;
        public const int Hidden = 32;

        private static readonly CellRequirement[] Needs =
        {
            new("input", "x", new[] { Channels }),
            new("input", "eps", new[] { Hidden }, Optional: true),
            new("input", "target", new[] { Channels }),
            new("output", "y", new[] { Channels }),
        };

        private double[]? _testX, _testTarget, _testEps;

        public override string Name => "ame-sequence";

        public override string Seed => "000";

        public override string Description => "AMELayer predicts the next step of an 8-channel sum of sines; held-out test MSE";

        public override int DefaultEpochs => 300;

        public override int DefaultBatch => 16;

        public override int DefaultTime => 50;

        public override IReadOnlyList<CellRequirement> Requirements => Needs;

        /// <summary>The angular frequency of channel <paramref name="c"/>, radians per step.</summary>
        public static double Omega(int c) => 2 * Math.PI * (2 + c) / 100.0;

        public override void Prepare<T>(ICell<T> cell, Random random)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (random is null) throw new ArgumentNullException(nameof(random));
            var (x, target, eps) = Draw(cell.Batch, cell.Time, random);
            Write(cell, x, target, eps);
            (_testX, _testTarget, _testEps) = Draw(cell.Batch, cell.Time, random);
        }

        public override void Measure<T>(ICell<T> cell, IDictionary<string, double> metrics)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (metrics is null) throw new ArgumentNullException(nameof(metrics));
            if (_testX is null || _testTarget is null || _testEps is null) throw new InvalidOperationException("the task has not prepared a cell");
            // The MSE of y against the target, whatever the cell's objective adds to it (a penalty, a scale).
            metrics["train_mse"] = Mse(cell);
            Write(cell, _testX, _testTarget, _testEps);
            cell.Forward();
            metrics["test_mse"] = Mse(cell);
            double persistence = 0;
            for (int i = 0; i < _testX.Length; i++) persistence += (_testTarget[i] - _testX[i]) * (_testTarget[i] - _testX[i]);
            metrics["persistence_test_mse"] = persistence / _testX.Length;
        }

        /// <summary>The mean over steps, samples and channels of (y - target)^2 after the last forward pass.</summary>
        private static double Mse<T>(ICell<T> cell) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => SquaredError(cell) / cell.Output("y").Length;

        private static (double[] X, double[] Target, double[] Eps) Draw(int batch, int time, Random random)
        {
            var phase = new double[batch * Channels];
            for (int i = 0; i < phase.Length; i++) phase[i] = 2 * Math.PI * random.NextDouble();
            var x = new double[time * batch * Channels];
            var target = new double[x.Length];
            for (int t = 0; t < time; t++)
                for (int b = 0; b < batch; b++)
                    for (int c = 0; c < Channels; c++)
                    {
                        int i = (t * batch + b) * Channels + c;
                        x[i] = Math.Sin(Omega(c) * t + phase[b * Channels + c]);
                        target[i] = Math.Sin(Omega(c) * (t + 1) + phase[b * Channels + c]);
                    }
            var eps = new double[time * batch * Hidden];
            for (int i = 0; i < eps.Length; i++) eps[i] = Normal(random);
            return (x, target, eps);
        }

        private static void Write<T>(ICell<T> cell, double[] x, double[] target, double[] eps) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            Copy(x, cell.Input("x"));
            Copy(target, cell.Input("target"));
            if (HasInput(cell, "eps")) Copy(eps, cell.Input("eps"));   // drawn in any case, so the signal is the same for every cell
        }
    }
}
