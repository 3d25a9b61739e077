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
    /// 500 epochs of Adam at lr 1e-3, as the seed. The target is 440 periods over the sequence whatever T, so at another T
    /// the WAV (8 kHz) plays it at <see cref="TargetHz"/>, not 440 Hz. The cell's input <c>eps</c> (the seed's <c>torch.randn_like</c>)
    /// holds standard-normal draws fixed for the run by its seed. Writes the final output as a 16-bit PCM WAV at 8 kHz.
    /// The variants the seed names: <c>saw-synth</c> (a rising sawtooth, 2 frac(440 t) − 1) and <c>square-synth</c>
    /// (the sign of the sine, +1 where it is 0).
    /// </summary>
    public sealed class SineSynthTask : TrainingTask
    {
        /// <summary>The target's wave form.</summary>
        public enum Wave { Sine, Saw, Square }

        /// <summary>What the task scores: the seed's MSE (the cell's objective) or a phase-free spectral loss (<see cref="SpectralLoss"/>).</summary>
        public enum Scoring { Mse, Spectral }

        /// <summary>The names <c>ae train --loss</c> takes, in <see cref="Scoring"/>'s order.</summary>
        public static IReadOnlyList<string> ScoringNames { get; } = new[] { "mse", "spectral" };

        public SineSynthTask(Wave wave = Wave.Sine) => Form = wave;

        public Wave Form { get; }

        /// <summary>
        /// What the training scores. <see cref="Scoring.Spectral"/> is the remedy seed 002 names and did not write (an STFT
        /// loss): it scores the tone and not its phase, which the noise floor lets wander over 8000 steps.
        /// </summary>
        public Scoring Loss { get; set; } = Scoring.Mse;

        public override string Settings => OwnLoss is string loss ? " loss=" + loss : "";

        private SpectralLoss? _spectral;
        private double[] _output = Array.Empty<double>(), _gradient = Array.Empty<double>();

        public override string? OwnLoss => Loss == Scoring.Spectral ? ScoringNames[(int)Scoring.Spectral] : null;

        /// <summary>The spectral loss's frame (32 ms at 8 kHz, bins 31.25 Hz apart), taken every half frame.</summary>
        public const int SpectralFrame = 256;

        /// <summary>The spectral loss of each sequence of the batch, their mean; d loss / d y into the output gradient of 'y'.</summary>
        public override double HostLoss<T>(ICell<T> cell)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            int time = cell.Time, batch = cell.Batch;
            if (_spectral is null || _output.Length != time)
            {
                var target = new double[time];
                for (int t = 0; t < time; t++) target[t] = Target(t, time);
                _spectral = new SpectralLoss(target, SpectralFrame, SpectralFrame / 2);
                _output = new double[time];
                _gradient = new double[time];
            }
            var y = cell.Output("y");
            var dy = cell.OutputGradient("y");
            double loss = 0;
            for (int b = 0; b < batch; b++)
            {
                for (int t = 0; t < time; t++) _output[t] = double.CreateTruncating(y[t * batch + b]);
                loss += _spectral.Evaluate(_output, _gradient);
                for (int t = 0; t < time; t++) dy[t * batch + b] = T.CreateTruncating(_gradient[t] / batch);
            }
            return loss / batch;
        }

        public const int SampleRate = 8000;
        public const double Frequency = 440;

        private static readonly CellRequirement[] Needs =
        {
            new("input", "eps", new[] { 1 }),
            new("input", "target", new[] { 1 }),
            new("output", "y", new[] { 1 }),
        };

        public override string Name => Form switch { Wave.Saw => "saw-synth", Wave.Square => "square-synth", _ => "sine-synth" };

        public override string Seed => "002";

        public override string Description => "AME-D synth reproduces 440 periods of a " + Form.ToString().ToLowerInvariant() + " wave over the sequence (440 Hz at 8 kHz for T 8000; "
            + (Loss == Scoring.Spectral ? "spectral loss" : "MSE") + ")";

        public override int DefaultEpochs => 500;

        public override int DefaultBatch => 1;

        public override int DefaultTime => SampleRate;

        public override IReadOnlyList<CellRequirement> Requirements => Needs;

        /// <summary>
        /// The frequency at which the WAV (<see cref="SampleRate"/>) plays the target of <paramref name="time"/> steps (its
        /// fundamental): <see cref="Frequency"/> periods over the T − 1 steps of linspace(0, 1, T) are 440 · 8000 / (T − 1) Hz,
        /// folded below the Nyquist frequency (4 kHz) as sampling folds it, so a short sequence aliases (T 400: 822 Hz). 440 Hz
        /// (440.055) at the seed's T 8000; NaN for one step, which holds no period.
        /// </summary>
        public static double TargetHz(int time)
        {
            if (time < 2) return double.NaN;
            double perSample = Frequency / (time - 1);
            return Math.Abs(perSample - Math.Round(perSample)) * SampleRate;
        }

        /// <summary>The target at step <paramref name="t"/> of <paramref name="time"/>: the wave at 440 Hz at the times torch.linspace(0, 1, T).</summary>
        public double Target(int t, int time)
        {
            double seconds = time == 1 ? 0.0 : (double)t / (time - 1);
            return Form switch
            {
                Wave.Saw => 2 * (Frequency * seconds - Math.Floor(Frequency * seconds)) - 1,
                Wave.Square => Math.Sin(2 * Math.PI * Frequency * seconds) >= 0 ? 1 : -1,
                _ => Math.Sin(2 * Math.PI * Frequency * seconds),
            };
        }

        public override void Prepare<T>(ICell<T> cell, Random random)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            // One sample holds no period: the target is sin(0) and the task's pitch and tone share are not numbers.
            if (cell.Time < 2) throw new TrainingException("sine-synth needs a time of at least 2 (one sample holds no period of the wave), not " + cell.Time);
            if (Loss == Scoring.Spectral && cell.Time < SpectralFrame)
                throw new TrainingException("the spectral loss needs a time of at least " + SpectralFrame + " (one frame), not " + cell.Time);
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
            // How much of the target's energy the output leaves unexplained, in dB.
            double power = 0;
            foreach (var v in cell.Input("target")) power += double.CreateTruncating(v) * double.CreateTruncating(v);
            metrics["error_db"] = 10 * Math.Log10(SquaredError(cell) / power);
            // What the WAV plays: the strongest frequency of the output's spectrum and the share of its power near the target's
            // frequency, both at 8 kHz, where the target sounds at 440 Hz only for the seed's T.
            double target = TargetHz(cell.Time);
            var (dominant, share) = Spectrum(Output(cell), SampleRate, target);
            metrics["dominant_hz"] = dominant;
            metrics["target_hz"] = target;
            metrics["tone_share"] = share;
        }

        /// <summary>
        /// The spectrum of <paramref name="samples"/> played at <paramref name="rate"/> Hz, its mean removed (a plain DFT over
        /// every bin up to Nyquist, the bins spaced rate / N apart): the frequency of the strongest bin, and the share of the
        /// power (DC excluded) in the bins within 5 Hz of <paramref name="tone"/>, or within two bins where the bins are wider
        /// than 2.5 Hz (a short sequence's tone between two bins 20 Hz apart was in neither, and leaks into the next ones). A 440 Hz sine gives 440 and a share near 1,
        /// a random walk a few hertz and a share near 0.
        /// </summary>
        public static (double DominantHz, double ToneShare) Spectrum(IReadOnlyList<double> samples, double rate, double tone)
        {
            if (samples is null) throw new ArgumentNullException(nameof(samples));
            int n = samples.Count;
            if (n < 2) return (double.NaN, double.NaN);
            double mean = 0;
            foreach (var v in samples) mean += v;
            mean /= n;
            var cos = new double[n];
            var sin = new double[n];
            for (int i = 0; i < n; i++)
            {
                cos[i] = Math.Cos(2 * Math.PI * i / n);
                sin[i] = Math.Sin(2 * Math.PI * i / n);
            }
            double total = 0, near = 0, best = -1, width = Math.Max(5, 2 * rate / n);
            int bestBin = 0;
            for (int k = 1; k <= n / 2; k++)
            {
                double re = 0, im = 0;
                long index = 0;
                for (int t = 0; t < n; t++)
                {
                    double x = samples[t] - mean;
                    re += x * cos[index];
                    im -= x * sin[index];
                    index += k;
                    if (index >= n) index -= n;
                }
                double p = re * re + im * im;
                if (k < n - k) p *= 2;   // the mirrored bin above Nyquist
                total += p;
                double hz = (double)k * rate / n;
                if (Math.Abs(hz - tone) <= width) near += p;
                if (p > best) { best = p; bestBin = k; }
            }
            return ((double)bestBin * rate / n, total > 0 ? near / total : 0);
        }

        /// <summary>The samples plotted against the target: the first 500 (all of a shorter run).</summary>
        public const int PlottedSamples = 500;

        /// <summary>The output of the first sequence of the batch, every step.</summary>
        private static double[] Output<T>(ICell<T> cell) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var y = cell.Output("y");
            var samples = new double[cell.Time];
            for (int t = 0; t < samples.Length; t++) samples[t] = double.CreateTruncating(y[t * cell.Batch]);
            return samples;
        }

        /// <summary><c>NAME-first500.svg</c>: the target and the output over the first <see cref="PlottedSamples"/> samples.</summary>
        public override TracePlot? Trace<T>(ICell<T> cell)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            var samples = Output(cell);
            int n = Math.Min(PlottedSamples, samples.Length);
            var target = new double[n];
            for (int t = 0; t < n; t++) target[t] = Target(t, cell.Time);
            string hz = TargetHz(cell.Time).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
            return new TracePlot(TraceName, Name + ": the first " + n + " samples (8 kHz) against the target (" + hz + " Hz)", "sample", 0,
                new[] { new TraceSeries("target", target), new TraceSeries("output", samples.AsSpan(0, n).ToArray()) });
        }

        public override IReadOnlyList<string> OutputNames => new[] { Name + ".wav", Name + "-first500.csv", TraceName, Path.ChangeExtension(TraceName, ".png") };

        private string TraceName => Name + "-first500.svg";

        public override IReadOnlyList<string> WriteOutputs<T>(ICell<T> cell, string directory)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            var samples = Output(cell);
            string path = Path.Combine(directory, Name + ".wav");
            AtomicFile.Write(path, stream => Wav.WritePcm16(stream, samples, SampleRate));
            // The first 500 samples beside the target, for a plot.
            string table = Path.Combine(directory, Name + "-first500.csv");
            AtomicFile.Write(table, stream =>
            {
                using var w = new StreamWriter(stream, leaveOpen: true);
                w.WriteLine("step,target,output");
                for (int t = 0; t < Math.Min(PlottedSamples, samples.Length); t++)
                    w.WriteLine(t.ToString(System.Globalization.CultureInfo.InvariantCulture) + "," + AE.Runtime.NumberText.Of(Target(t, cell.Time)) + "," + AE.Runtime.NumberText.Of(samples[t]));
            });
            return new[] { path, table };
        }
    }
}
