using System;
using System.IO;
using System.Threading;

namespace AE.Cli
{
    /// <summary>
    /// What Ctrl-C (SIGINT) and SIGTERM do: to a command that stops cleanly on them (<see cref="Watched"/>), the first asks it
    /// to (ae run stores what it has and exits 130); a later one ends the process at once, saying so (SQLite's journal then
    /// rolls back an unfinished transaction). Any other command (check, emit, grad, replay) ends at once, as any program.
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

        /// <summary>Whether the running command stops cleanly on an interrupt (<see cref="CommandSpec.StopsOnInterrupt"/>).</summary>
        public bool Watched { get; set; }

        /// <summary>Takes one interrupt; whether the process goes on (false: it ends at once, as the signal's default does).</summary>
        public bool Take()
        {
            if (!Watched) return false;   // nothing would read the request: the signal's default ends the process
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
