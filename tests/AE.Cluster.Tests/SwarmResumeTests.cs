using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using AE.Cli.Tests;
using AE.Engine;
using AE.Experiments.Machine;
using AE.Experiments.Swarm;
using Xunit;

namespace AE.Cluster.Tests
{
    /// <summary>A population run taken up from the state a round ended with goes on bit for bit as the run that was not interrupted: what lets a cluster redo only the rounds a lost worker had not finished.</summary>
    public class SwarmResumeTests
    {
        [Theory]
        [InlineData(SwarmMethod.Swarm, "noisy-quadratic")]
        [InlineData(SwarmMethod.Pbt, "delayed")]
        [InlineData(SwarmMethod.Independent, "rosenbrock")]
        public void A_run_resumed_from_any_round_ends_as_the_whole_run(SwarmMethod method, string task)
        {
            var law = ExperimentLaw.Load(new[] { Repo.SgdmLaw }, null, Array.Empty<ParamSetting>(), Array.Empty<string>(), Repo.Root, TextWriter.Null, "swarm", 2);
            var settings = new SwarmSettings(5, 4, 200, Dither: 0.2);
            var spec = new SwarmSpec("swarm", law.Source, TaskSource.FromCatalog(task), settings, "init_alpha", Enumerable.Range(0, 5).Select(j => 0.01 * Math.Pow(10, j / 2.0)).ToList());
            var options = spec.MemberOptions(law);
            var job = new SwarmJob(method, 7);

            var states = new List<SwarmCheckpoint>();
            var whole = spec.Run(law, options, job, CancellationToken.None, null, null, states.Add);
            Assert.Equal(settings.Rounds - 1, states.Count);
            foreach (var from in states)
            {
                var later = new List<SwarmCheckpoint>();
                var resumed = spec.Run(law, options, job, CancellationToken.None, null, from.State, later.Add);
                Assert.Equal(states.Where(s => s.Round > from.Round).Select(s => Convert.ToBase64String(s.State)), later.Select(s => Convert.ToBase64String(s.State)));
                Assert.Equal(Bytes(whole), Bytes(resumed));
            }
        }

        [Fact]
        public void A_state_of_another_seed_is_refused()
        {
            var law = ExperimentLaw.Load(new[] { Repo.SgdmLaw }, null, Array.Empty<ParamSetting>(), Array.Empty<string>(), Repo.Root, TextWriter.Null, "swarm", 2);
            var spec = new SwarmSpec("swarm", law.Source, TaskSource.FromCatalog("quadratic"), new SwarmSettings(3, 3, 30), null, new double[3]);
            var options = spec.MemberOptions(law);
            var states = new List<SwarmCheckpoint>();
            spec.Run(law, options, new SwarmJob(SwarmMethod.Swarm, 1), CancellationToken.None, null, null, states.Add);
            Assert.Throws<InvalidDataException>(() => spec.Run(law, options, new SwarmJob(SwarmMethod.Swarm, 2), CancellationToken.None, null, states[0].State));
        }

        /// <summary>The run as it crosses the wire: every member's bytes and every round, to the last bit.</summary>
        private static string Bytes(SwarmRun run) => string.Join("\n", run.Members.Select(m => Convert.ToBase64String(MachineRunBytes.Write(m))))
            + "\n" + string.Join("\n", run.Rounds.Select(r => r.Round + ":" + string.Join(",", r.Scores.Select(BitConverter.DoubleToInt64Bits)) + ":"
                + string.Join(",", (r.Weights ?? Array.Empty<double>()).Select(BitConverter.DoubleToInt64Bits)) + ":" + string.Join(",", r.Budgets) + ":"
                + string.Join(",", r.Consensus.Select(c => c.Key + "=" + BitConverter.DoubleToInt64Bits(c.Value))) + ":" + string.Join(",", r.Copies) + ":" + r.Compute))
            + "\n" + run.Winner + ":" + run.ComputeToTarget + ":" + run.Compute;
    }
}
