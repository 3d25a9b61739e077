using System;
using System.Diagnostics;

namespace AE.Cli
{
    /// <summary>
    /// Keeps a run's periodic checkpoints to a share of its time. A run checkpoint holds the run's whole log so far, so each
    /// costs more than the one before: at every few steps of a long run they made it many times slower (every 100 steps of an
    /// 80,864-step run: 19.5 s against 4.7 s without). A checkpoint that comes due sooner than <see cref="Share"/> allows after the
    /// last one's writing is skipped; the next one due after that is written. An interrupt's checkpoint is always written.
    /// </summary>
    internal sealed class CheckpointPacing
    {
        /// <summary>The most of the run's time the periodic checkpoints take.</summary>
        public const double Share = 0.1;

        private readonly Func<double> _seconds;
        private double _next = double.NegativeInfinity;

        /// <param name="seconds">a clock in seconds from any start (a stopwatch's by default)</param>
        public CheckpointPacing(Func<double>? seconds = null)
        {
            var clock = Stopwatch.StartNew();
            _seconds = seconds ?? (() => clock.Elapsed.TotalSeconds);
        }

        /// <summary>Writes a periodic checkpoint with <paramref name="write"/> unless the last one was too recent; whether it wrote.</summary>
        public bool Periodic(Action write)
        {
            if (write is null) throw new ArgumentNullException(nameof(write));
            double start = _seconds();
            if (start < _next) return false;
            write();
            double took = _seconds() - start;
            _next = start + took / Share;
            return true;
        }
    }
}
