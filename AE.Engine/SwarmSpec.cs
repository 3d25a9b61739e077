using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AE.Experiments.Swarm;

namespace AE.Engine
{
    /// <summary>One population run of <c>ae swarm</c>: a method and a seed (the members' seeds follow from it).</summary>
    public sealed record SwarmJob(SwarmMethod Method, ulong Seed);

    /// <summary>A population run done, and when it started and ended.</summary>
    public sealed record SwarmOutcome(SwarmRun Run, DateTime StartedAt, DateTime FinishedAt);

    /// <summary>
    /// What every population run of one <c>ae swarm</c> shares, as data, so that a cluster's worker runs the same
    /// population as the command: the law's source, the task, the settings and each member's initial rate
    /// (<paramref name="RateParam"/> null: every member has the law's own options).
    /// </summary>
    public sealed record SwarmSpec(string Command, LawSource Law, TaskSource Task, SwarmSettings Settings, string? RateParam, IReadOnlyList<double> MemberRates)
    {
        /// <summary>Each member's options of <paramref name="law"/>: its initial rate, or the law's settings as given.</summary>
        public IReadOnlyList<object> MemberOptions(ExperimentLaw law)
        {
            if (law is null) throw new ArgumentNullException(nameof(law));
            return Enumerable.Range(0, Settings.Members)
                .Select(j => RateParam is string param ? law.OptionsWith(param, MemberRates[j]) : LawOptions.BuildOptions(law.Compiled.Type, law.Settings, law.Name))
                .ToList();
        }

        /// <summary>
        /// Runs <paramref name="job"/>, from its first round or from the state <paramref name="resume"/> a round ended with;
        /// <paramref name="progress"/> hears of the law steps taken after each round, <paramref name="roundEnded"/> of the state then.
        /// </summary>
        public SwarmRun Run(ExperimentLaw law, IReadOnlyList<object> options, SwarmJob job, CancellationToken cancellation, Action<long, long>? progress,
            byte[]? resume = null, Action<SwarmCheckpoint>? roundEnded = null)
        {
            if (law is null) throw new ArgumentNullException(nameof(law));
            if (job is null) throw new ArgumentNullException(nameof(job));
            return SwarmRunner.Run(law.Compiled, options, Task.Create, job.Method, Settings, job.Seed, true, cancellation, progress, resume, roundEnded);
        }
    }
}
