using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using AE.Runtime.Cells;

namespace AE.Experiments.Training
{
    /// <summary>
    /// <c>sine-synth</c> (seed 002): the AME-D synth (<c>cells/amed_synth.ae</c>) trained to reproduce a 440 Hz sine
    /// sampled at 8 kHz over one second (T = 8000, the target <c>sin(2π 440 t)</c> at <c>t = linspace(0, 1, T)</c>),
    /// 500 epochs of Adam at lr 1e-3, as the seed. The cell's input <c>eps</c> (the seed's <c>torch.randn_like</c>)
    /// holds standard-normal draws fixed for the run by its seed. Writes the final output as a 16-bit PCM WAV at 8 kHz.
    /// </summary>
    public sealed class SineSynthTask : TrainingTask
    {
        public const int SampleRate = 8000;
        public const double Frequency = 440;

        private static readonly CellRequirement[] Needs =
        {
            new("input", "eps", new[] { 1 }),
            new("input", "target", new[] { 1 }),
            new("output", "y", new[] { 1 }),
        };

        public override string Name => "sine-synth";

        public override string Seed => "002";

        public override string Description => "AME-D synth reproduces a 440 Hz sine sampled at 8 kHz (MSE)";

        public override int DefaultEpochs => 500;

        public override int DefaultBatch => 1;

        public override int DefaultTime => SampleRate;

        public override IReadOnlyList<CellRequirement> Requirements => Needs;

        /// <summary>The target at step <paramref name="t"/> of <paramref name="time"/>: torch.linspace(0, 1, T) sampled by sin(2π 440 t).</summary>
        public static double Target(int t, int time) => Math.Sin(2 * Math.PI * Frequency * (time == 1 ? 0.0 : (double)t / (time - 1)));

        public override void Prepare<T>(ICell<T> cell, Random random)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            var eps = cell.Input("eps");
            var target = cell.Input("target");
            int batch = cell.Batch;
            for (int t = 0; t < cell.Time; t++)
            {
                var value = T.CreateTruncating(Target(t, cell.Time));
                for (int b = 0; b < batch; b++)
                {
                    target[t * batch + b] = value;
                    eps[t * batch + b] = T.CreateTruncating(Normal(random));
                }
            }
        }

        public override void Measure<T>(ICell<T> cell, IDictionary<string, double> metrics)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            if (metrics is null) throw new ArgumentNullException(nameof(metrics));
            // How much of the target's energy the output leaves unexplained, in dB (the sine's mean square is 1/2).
            metrics["error_db"] = 10 * Math.Log10(cell.Loss / 0.5);
        }

        public override IReadOnlyList<string> WriteOutputs<T>(ICell<T> cell, string directory)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            var y = cell.Output("y");
            var samples = new double[cell.Time];
            for (int t = 0; t < samples.Length; t++) samples[t] = double.CreateTruncating(y[t * cell.Batch]);
            string path = Path.Combine(directory, "sine-synth.wav");
            AtomicFile.Write(path, stream => Wav.WritePcm16(stream, samples, SampleRate));
            return new[] { path };
        }
    }
}
