using System;
using System.IO;
using System.Threading;

namespace AE.Cli
{
    /// <summary>
    /// What Ctrl-C (SIGINT) does: the first asks the running command to stop cleanly (ae run stores what it has and exits
    /// 130); a later one ends the process at once, saying so (SQLite's journal then rolls back an unfinished transaction).
    /// One within <see cref="RepeatMilliseconds"/> of the first is the same interrupt sent twice: 'timeout -s INT' signals the
    /// process and then its process group, which ended a run silently with nothing stored.
    /// </summary>
    internal sealed class Interrupts
    {
        /// <summary>A second interrupt sooner than this after the first is taken as the same one.</summary>
        public const long RepeatMilliseconds = 500;

        private readonly CancellationTokenSource _source;
        private readonly TextWriter _stderr;
        private readonly Func<long> _clock;
        private long _first;

        /// <param name="clock">milliseconds from any fixed start (<see cref="Environment.TickCount64"/> by default)</param>
        public Interrupts(CancellationTokenSource source, TextWriter stderr, Func<long>? clock = null)
        {
            _source = source ?? throw new ArgumentNullException(nameof(source));
            _stderr = stderr ?? throw new ArgumentNullException(nameof(stderr));
            _clock = clock ?? (() => Environment.TickCount64);
        }

        /// <summary>Takes one interrupt; whether the process goes on (false: it ends at once, as the signal's default does).</summary>
        public bool Take()
        {
            if (!_source.IsCancellationRequested)
            {
                _first = _clock();
                _source.Cancel();
                return true;
            }
            if (_clock() - _first < RepeatMilliseconds) return true;
            _stderr.WriteLine("ae: interrupted again; ending at once (what was not yet stored is lost)");
            return false;
        }
    }
}
