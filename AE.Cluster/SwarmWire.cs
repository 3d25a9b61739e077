using System;
using System.Collections.Generic;
using System.Linq;
using AE.Engine;
using AE.Experiments.Machine;
using AE.Experiments.Swarm;
using Orleans;

namespace AE.Cluster
{
    /// <summary>The settings of a population run (<see cref="SwarmSettings"/>), field by field.</summary>
    [GenerateSerializer, Immutable]
    public sealed record WireSwarmSettings(int Members, int Rounds, long StepsPerMember, double Temperature, double Kappa, long? MinSteps, double Dither,
        double PbtQuantile, double PbtFactor);

    /// <summary>
    /// One population run of a swarm for a worker (<see cref="SwarmSpec"/> and a <see cref="SwarmJob"/>): the law, the task, the
    /// settings, each member's rate, the method and seed; and, for a run taken up after its worker was lost, the state its last
    /// round ended with (<see cref="SwarmCheckpoint"/>; empty and round 0 for a run from its start).
    /// </summary>
    [GenerateSerializer, Immutable]
    public sealed record WireSwarm(string Command, string Batch, WireLaw Law, string Task, string TaskIdentity, WireSwarmSettings Settings, string? RateParam, double[] MemberRates,
        int Method, ulong Seed, int ResumeRound, byte[] Resume);

    /// <summary>A round's record (<see cref="SwarmRound"/>); the consensus as names and values in the order the run wrote them.</summary>
    [GenerateSerializer, Immutable]
    public sealed record WireRound(int Round, double[] Scores, double[]? Weights, long[] Budgets, string[] ConsensusNames, double[] ConsensusValues,
        int[] CopiedFrom, int[] CopiedTo, long Compute);

    /// <summary>
    /// Where a population run on a worker stands: whether this grain holds it at all (as <see cref="WireStatus.Held"/>), the law
    /// steps its members took so far, the state its latest round ended with when the client does not have it yet (round 0 and
    /// empty otherwise), and when finished either the run (each member's <see cref="MachineRunBytes"/> with its whole log, the
    /// rounds, the winner) or a failure as its one-line message.
    /// </summary>
    [GenerateSerializer, Immutable]
    public sealed record WireSwarmStatus(bool Held, long Compute, int Round, byte[] State, bool Finished, string? Error, bool InputError, byte[][] Members, WireRound[] Rounds,
        int? Winner, long? ComputeToTarget, long TotalCompute, bool Cancelled, long StartedAt, long FinishedAt);

    /// <summary>A swarm's population runs on the wire and back, exactly.</summary>
    public static class SwarmWire
    {
        public static WireSwarm Of(SwarmSpec spec, string batch, string lawSha256, SwarmJob job, SwarmCheckpoint? resume)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (job is null) throw new ArgumentNullException(nameof(job));
            var s = spec.Settings;
            return new WireSwarm(spec.Command, batch, Wire.LawOf(spec.Law, lawSha256), spec.Task.Spec, spec.Task.Identity,
                new WireSwarmSettings(s.Members, s.Rounds, s.StepsPerMember, s.Temperature, s.Kappa, s.MinSteps, s.Dither, s.PbtQuantile, s.PbtFactor),
                spec.RateParam, spec.MemberRates.ToArray(), (int)job.Method, job.Seed, resume?.Round ?? 0, resume?.State ?? Array.Empty<byte>());
        }

        /// <summary>The spec and job a worker runs.</summary>
        public static (SwarmSpec Spec, SwarmJob Job) ToEngine(WireSwarm swarm)
        {
            if (swarm is null) throw new ArgumentNullException(nameof(swarm));
            var s = swarm.Settings;
            var settings = new SwarmSettings(s.Members, s.Rounds, s.StepsPerMember, s.Temperature, s.Kappa, s.MinSteps, s.Dither, s.PbtQuantile, s.PbtFactor);
            var spec = new SwarmSpec(swarm.Command, Wire.Source(swarm.Law), TaskSource.FromSpec(swarm.Task, swarm.TaskIdentity), settings, swarm.RateParam, swarm.MemberRates);
            return (spec, new SwarmJob((SwarmMethod)swarm.Method, swarm.Seed));
        }

        public static WireSwarmStatus Finished(SwarmRun run, DateTime startedAt, DateTime finishedAt)
        {
            if (run is null) throw new ArgumentNullException(nameof(run));
            return new WireSwarmStatus(true, run.Compute, 0, Array.Empty<byte>(), true, null, false, run.Members.Select(m => MachineRunBytes.Write(m, log: true)).ToArray(),
                run.Rounds.Select(Round).ToArray(), run.Winner, run.ComputeToTarget, run.Compute, run.Cancelled, startedAt.Ticks, finishedAt.Ticks);
        }

        public static WireSwarmStatus Failed(long compute, Exception error) => new(true, compute, 0, Array.Empty<byte>(), true, MessageText.FirstLine(error.Message), error is EngineException,
            Array.Empty<byte[]>(), Array.Empty<WireRound>(), null, null, 0, false, 0, 0);

        /// <param name="latest">the state the latest round ended with, when the client has an older one</param>
        public static WireSwarmStatus Running(bool held, long compute, SwarmCheckpoint? latest) => new(held, compute, latest?.Round ?? 0, latest?.State ?? Array.Empty<byte>(), false, null, false, Array.Empty<byte[]>(), Array.Empty<WireRound>(),
            null, null, 0, false, 0, 0);

        /// <summary>The run a finished status carries, with the settings and job it was run for.</summary>
        public static SwarmRun Run(WireSwarmStatus status, SwarmSettings settings, SwarmJob job)
        {
            if (status is null) throw new ArgumentNullException(nameof(status));
            if (job is null) throw new ArgumentNullException(nameof(job));
            var members = status.Members.Select(MachineRunBytes.Read).ToList();
            var rounds = status.Rounds.Select(Round).ToList();
            return new SwarmRun(job.Method, job.Seed, settings, members, rounds, status.Winner, status.ComputeToTarget, status.TotalCompute, status.Cancelled);
        }

        private static WireRound Round(SwarmRound r) => new(r.Round, r.Scores.ToArray(), r.Weights?.ToArray(), r.Budgets.ToArray(),
            r.Consensus.Keys.ToArray(), r.Consensus.Values.ToArray(), r.Copies.Select(c => c.From).ToArray(), r.Copies.Select(c => c.To).ToArray(), r.Compute);

        private static SwarmRound Round(WireRound r)
        {
            var consensus = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int i = 0; i < r.ConsensusNames.Length; i++) consensus.Add(r.ConsensusNames[i], r.ConsensusValues[i]);
            return new SwarmRound(r.Round, r.Scores, r.Weights, r.Budgets, consensus, r.CopiedFrom.Zip(r.CopiedTo).ToList(), r.Compute);
        }
    }
}
