using System;
using System.IO;
using System.Text;

namespace AE.Experiments.Training
{
    /// <summary>A mono 16-bit PCM WAV file (RIFF, little-endian).</summary>
    public static class Wav
    {
        /// <summary>Writes <paramref name="samples"/> (in [-1, 1]; clipped outside, NaN as 0) at <paramref name="rate"/> samples per second.</summary>
        public static void WritePcm16(Stream stream, ReadOnlySpan<double> samples, int rate)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            if (rate <= 0) throw new ArgumentOutOfRangeException(nameof(rate), rate, "the sample rate must be positive");
            using var w = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
            int data = checked(samples.Length * 2);
            w.Write(Encoding.ASCII.GetBytes("RIFF"));
            w.Write(36 + data);
            w.Write(Encoding.ASCII.GetBytes("WAVE"));
            w.Write(Encoding.ASCII.GetBytes("fmt "));
            w.Write(16);              // the fmt chunk's size
            w.Write((short)1);        // PCM
            w.Write((short)1);        // mono
            w.Write(rate);
            w.Write(rate * 2);        // bytes per second
            w.Write((short)2);        // bytes per frame
            w.Write((short)16);       // bits per sample
            w.Write(Encoding.ASCII.GetBytes("data"));
            w.Write(data);
            foreach (var s in samples)
            {
                double c = double.IsNaN(s) ? 0 : Math.Clamp(s, -1, 1);
                w.Write((short)Math.Round(c * short.MaxValue));
            }
        }
    }
}
