using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace AE.Cli
{
    /// <summary>
    /// A one-line progress bar on stderr, redrawn in place with <c>\r</c> at most ten times a second and erased
    /// by <see cref="Dispose"/>. Drawn only when enabled (stderr is a terminal and <c>--no-progress</c> was not
    /// given); otherwise every call does nothing, so redirected output never holds control characters.
    /// </summary>
    internal sealed class ProgressBar : IDisposable
    {
        private const int Width = 30;
        private readonly TextWriter? _stderr;
        private readonly string _label;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastDraw = -1000;
        private int _drawnLength;

        public ProgressBar(TextWriter stderr, bool enabled, string label)
        {
            _stderr = enabled ? stderr : null;
            _label = label;
        }

        public bool Enabled => _stderr is not null;

        /// <summary>Shows <paramref name="done"/> of <paramref name="total"/> with a short note (e.g. the loss).</summary>
        public void Report(long done, long total, string note = "")
        {
            if (_stderr is null) return;
            long now = _clock.ElapsedMilliseconds;
            if (done < total && now - _lastDraw < 100) return;
            _lastDraw = now;
            double fraction = total <= 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
            int filled = (int)Math.Round(fraction * Width);
            string line = _label + " [" + new string('#', filled) + new string('-', Width - filled) + "] "
                + (fraction * 100).ToString("0", CultureInfo.InvariantCulture).PadLeft(3) + "% "
                + done.ToString(CultureInfo.InvariantCulture) + "/" + total.ToString(CultureInfo.InvariantCulture)
                + (note.Length > 0 ? "  " + note : "");
            string pad = line.Length < _drawnLength ? new string(' ', _drawnLength - line.Length) : "";
            _stderr.Write("\r" + line + pad);
            _stderr.Flush();
            _drawnLength = line.Length;
        }

        /// <summary>Erases the bar.</summary>
        public void Dispose()
        {
            if (_stderr is null || _drawnLength == 0) return;
            _stderr.Write("\r" + new string(' ', _drawnLength) + "\r");
            _stderr.Flush();
            _drawnLength = 0;
        }
    }
}
