using System;
using System.IO;
using System.Threading;
using AE.Experiments.Machine;

namespace AE.Cli
{
    /// <summary>The environment a command runs in: output streams and the directory relative paths start from.</summary>
    public sealed record CliContext(TextWriter Stdout, TextWriter Stderr, string CurrentDirectory)
    {
        /// <summary>Cancelled by Ctrl-C (the process wires <c>Console.CancelKeyPress</c> to it); a test can cancel it in-process.</summary>
        public CancellationToken Cancellation { get; init; }

        /// <summary>
        /// Called when the command chosen stops cleanly on an interrupt (<see cref="CommandSpec.StopsOnInterrupt"/>): the process
        /// then takes Ctrl-C and SIGTERM to <see cref="Cancellation"/> instead of ending at once. Null: nothing to tell.
        /// </summary>
        public Action? StopsOnInterrupt { get; init; }

        /// <summary>Whether <see cref="Stderr"/> is a terminal: only then do the experiment commands draw a progress bar.</summary>
        public bool StderrIsTerminal { get; init; }

        /// <summary>
        /// Called on the running thread with the machine's progress of <c>ae run</c> (every few steps and at
        /// the end; for <c>ae swarm</c>, the steps of all runs after each round), for hosts and tests that watch a run; null: nobody watches.
        /// </summary>
        public Action<MachineProgress>? RunObserver { get; init; }

        /// <summary>
        /// The bytes this process can allocate (the GC's limit: the machine's memory, or the container's or the heap's hard
        /// limit): a cell whose buffers need more is refused before it is built. A test sets a smaller one.
        /// </summary>
        public long AvailableMemoryBytes { get; init; } = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
