using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace AE.Engine
{
    /// <summary>Where the population runs of a swarm run: in this process, or on a cluster's workers.</summary>
    public interface ISwarmExecutor
    {
        /// <param name="law">the law the command loaded (a worker loads its own from <see cref="SwarmSpec.Law"/>, checked against its hash)</param>
        /// <param name="progress">called with the law steps all runs took so far; calls do not overlap</param>
        /// <returns>each job's outcome in job order; null for a job that did not run (interrupted)</returns>
        IReadOnlyList<SwarmOutcome?> Execute(SwarmSpec spec, ExperimentLaw law, IReadOnlyList<SwarmJob> jobs, Action<long> progress, CancellationToken cancellation);
    }

    /// <summary>The population runs on <see cref="Threads"/> threads of this process, one run per thread.</summary>
    public sealed class LocalSwarmExecutor(int threads) : ISwarmExecutor
    {
        public int Threads { get; } = threads;

        public IReadOnlyList<SwarmOutcome?> Execute(SwarmSpec spec, ExperimentLaw law, IReadOnlyList<SwarmJob> jobs, Action<long> progress, CancellationToken cancellation)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (jobs is null) throw new ArgumentNullException(nameof(jobs));
            if (progress is null) throw new ArgumentNullException(nameof(progress));
            var options = spec.MemberOptions(law);
            var outcomes = new SwarmOutcome?[jobs.Count];
            long done = 0;
            var gate = new object();
            var errors = new List<Exception>();
            Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = Threads }, (i, state) =>
            {
                if (cancellation.IsCancellationRequested) return;
                try
                {
                    long reported = 0;
                    var started = DateTime.UtcNow;
                    var run = spec.Run(law, options, jobs[i], cancellation, (c, _) =>
                    {
                        lock (gate)
                        {
                            done += c - reported;
                            reported = c;
                            progress(done);
                        }
                    });
                    outcomes[i] = new SwarmOutcome(run, started, DateTime.UtcNow);
                }
                catch (Exception ex)
                {
                    lock (gate) errors.Add(ex);
                    state.Stop();
                }
            });
            if (errors.Count > 0) ExceptionDispatchInfo.Capture(errors[0]).Throw();
            return outcomes;
        }
    }

    /// <summary>
    /// A swarm executor stopped before every population run ended (a cluster lost): the message says why in one line, and
    /// <see cref="Finished"/> holds the runs that had reached this process, so that their members are stored.
    /// </summary>
    public sealed class SwarmStoppedException : Exception
    {
        public SwarmStoppedException() { }

        public SwarmStoppedException(string message) : base(message) { }

        public SwarmStoppedException(string message, Exception innerException) : base(message, innerException) { }

        public SwarmStoppedException(string message, IReadOnlyList<SwarmOutcome?> finished, Exception innerException) : base(message, innerException)
            => Finished = finished ?? throw new ArgumentNullException(nameof(finished));

        /// <summary>An outcome per job, in job order: null for a population run that had not come back.</summary>
        public IReadOnlyList<SwarmOutcome?> Finished { get; } = Array.Empty<SwarmOutcome?>();
    }
}
