using System;

namespace AE.Experiments.Training
{
    /// <summary>
    /// A short-time spectral loss over one output sequence: Hann-windowed frames of <see cref="FrameLength"/> samples every
    /// <see cref="Hop"/>, each frame's magnitude spectrum (bins 0 to N/2) against the target's. The loss is the mean over
    /// frames and bins of the squared difference of the magnitudes, over the target's mean squared magnitude (the spectral
    /// convergence of the audio literature, squared), plus the mean absolute difference of their logarithms (each
    /// magnitude plus <see cref="Floor"/>). It does not see the phase: a tone at the target's frequency scores the same
    /// in any phase, which the seed's MSE cannot tell from silence once the phase has wandered.
    /// </summary>
    public sealed class SpectralLoss
    {
        private readonly double[] _window, _cos, _sin, _targetMagnitude;
        private readonly double[] _frame, _magnitude, _re, _im, _dMagnitude;
        private readonly int _bins, _frames, _length;
        private readonly double _targetPower;

        /// <summary>The loss against <paramref name="target"/>, frames of <paramref name="frameLength"/> samples every <paramref name="hop"/>.</summary>
        public SpectralLoss(ReadOnlySpan<double> target, int frameLength = 256, int hop = 128, double floor = 1e-3)
        {
            if (frameLength < 2) throw new ArgumentOutOfRangeException(nameof(frameLength), frameLength, "a frame of 2 samples or more");
            if (hop < 1) throw new ArgumentOutOfRangeException(nameof(hop), hop, "a hop of 1 sample or more");
            if (target.Length < frameLength) throw new ArgumentException("the sequence (" + target.Length + " samples) is shorter than a frame (" + frameLength + ")", nameof(target));
            FrameLength = frameLength;
            Hop = hop;
            Floor = floor;
            _length = target.Length;
            _bins = frameLength / 2 + 1;
            _frames = (target.Length - frameLength) / hop + 1;
            _window = new double[frameLength];
            for (int n = 0; n < frameLength; n++) _window[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / frameLength);
            _cos = new double[_bins * frameLength];
            _sin = new double[_bins * frameLength];
            for (int k = 0; k < _bins; k++)
                for (int n = 0; n < frameLength; n++)
                {
                    // k n mod N keeps the angle small, so the tables are exact to the last bits for every bin.
                    double angle = 2 * Math.PI * ((long)k * n % frameLength) / frameLength;
                    _cos[k * frameLength + n] = Math.Cos(angle);
                    _sin[k * frameLength + n] = Math.Sin(angle);
                }
            _frame = new double[frameLength];
            _targetMagnitude = new double[_frames * _bins];
            _magnitude = new double[_frames * _bins];
            _re = new double[_frames * _bins];
            _im = new double[_frames * _bins];
            _dMagnitude = new double[_frames * _bins];
            Magnitudes(target, _targetMagnitude, _re, _im);
            double power = 0;
            foreach (var m in _targetMagnitude) power += m * m;
            _targetPower = power / _targetMagnitude.Length;
        }

        public int FrameLength { get; }

        public int Hop { get; }

        /// <summary>What each magnitude gets before its logarithm, so that silence is finite.</summary>
        public double Floor { get; }

        /// <summary>The loss of <paramref name="output"/>; its gradient with respect to each sample into <paramref name="gradient"/> (overwritten).</summary>
        public double Evaluate(ReadOnlySpan<double> output, Span<double> gradient)
        {
            if (output.Length != _length || gradient.Length != _length) throw new ArgumentException("a sequence of " + _length + " samples and its gradient");
            double[] magnitude = _magnitude, re = _re, im = _im, dMagnitude = _dMagnitude;
            Magnitudes(output, magnitude, re, im);
            double count = magnitude.Length, linear = 0, log = 0;
            for (int i = 0; i < magnitude.Length; i++)
            {
                double d = magnitude[i] - _targetMagnitude[i];
                linear += d * d;
                double l = Math.Log(magnitude[i] + Floor) - Math.Log(_targetMagnitude[i] + Floor);
                log += Math.Abs(l);
                dMagnitude[i] = 2 * d / (count * _targetPower) + Math.Sign(l) / (count * (magnitude[i] + Floor));
            }
            gradient.Clear();
            for (int f = 0; f < _frames; f++)
            {
                int start = f * Hop;
                for (int k = 0; k < _bins; k++)
                {
                    int i = f * _bins + k;
                    if (magnitude[i] == 0) continue;   // |Y| has no derivative at 0; its subgradient 0
                    double a = dMagnitude[i] * re[i] / magnitude[i], b = dMagnitude[i] * im[i] / magnitude[i];
                    int row = k * FrameLength;
                    for (int n = 0; n < FrameLength; n++)
                        gradient[start + n] += _window[n] * (a * _cos[row + n] - b * _sin[row + n]);
                }
            }
            return linear / (count * _targetPower) + log / count;
        }

        /// <summary>Each frame's magnitudes, real and imaginary parts of <paramref name="signal"/>.</summary>
        private void Magnitudes(ReadOnlySpan<double> signal, double[] magnitude, double[] re, double[] im)
        {
            var frame = _frame;
            for (int f = 0; f < _frames; f++)
            {
                int start = f * Hop;
                for (int n = 0; n < FrameLength; n++) frame[n] = _window[n] * signal[start + n];
                for (int k = 0; k < _bins; k++)
                {
                    double r = 0, s = 0;
                    int row = k * FrameLength;
                    for (int n = 0; n < FrameLength; n++)
                    {
                        r += frame[n] * _cos[row + n];
                        s -= frame[n] * _sin[row + n];
                    }
                    int i = f * _bins + k;
                    magnitude[i] = Math.Sqrt(r * r + s * s);
                    re[i] = r;
                    im[i] = s;
                }
            }
        }
    }
}
