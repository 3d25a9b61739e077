using System;
using System.IO;
using System.Linq;
using System.Threading;
using AE.Experiments.Baselines;
using AE.Experiments.Compilation;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using AE.Experiments.Training;
using AE.Runtime;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary><see cref="MachineCheckpoint"/>: a run of the machine cancelled mid-way continues bit for bit.</summary>
    public class MachineCheckpointTests
    {
        private static readonly Lazy<CompiledLaw> AdamLaw = new(() => CompiledLaw.Load(new[] { Path.Combine(RepoPaths.Root, "laws", "ae_adam.ae") }, "AeAdam", RepoPaths.Root));

        private const long Budget = 400;
        private const ulong Seed = 7;

        /// <summary>AE-Adam with its noise on: its state, its noise stream and its lyapunov signal (the AE-10 ring) all matter.</summary>
        private static IOptimizerLaw Law(int n)
        {
            var options = Activator.CreateInstance(AdamLaw.Value.Type.GetNestedType("Options")!)!;
            options.GetType().GetProperty("init_alpha")!.SetValue(options, 0.02);
            options.GetType().GetProperty("sigma_max")!.SetValue(options, 0.01);
            options.GetType().GetProperty("init_sigma")!.SetValue(options, 0.001);
            return AdamLaw.Value.Create(n, options, Seed);
        }

        private static RunIdentity Identity(ITask task) => new("AeAdam", "hash", "{\"init_alpha\":0.02}", "", task.Name, task.Dimension, Seed, Budget);

        private static MachineOptions Options() => new() { MaxSteps = Budget, AcceptOnTarget = false, ProgressInterval = 1 };

        private static long[] Bits(ReadOnlySpan<double> v) => v.ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray();

        private static void AssertSameRun(MachineRun expected, MachineRun actual)
        {
            Assert.Equal(expected.Stop, actual.Stop);
            Assert.Equal(expected.StepsTaken, actual.StepsTaken);
            Assert.Equal(Bits(expected.Log.Losses), Bits(actual.Log.Losses));
            foreach (var name in expected.Log.SignalNames)
                Assert.Equal(Bits(expected.Log.SignalColumn(name)), Bits(actual.Log.SignalColumn(name)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Auc), BitConverter.DoubleToInt64Bits(actual.Auc));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.FinalLoss), BitConverter.DoubleToInt64Bits(actual.FinalLoss));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.InitialLoss), BitConverter.DoubleToInt64Bits(actual.InitialLoss));
            Assert.Equal(Bits(expected.FinalTheta.Span), Bits(actual.FinalTheta.Span));
            Assert.Equal(expected.Incidents, actual.Incidents);
        }

        [Theory]
        [InlineData("noisy-quadratic")]   // a noise stream in the task
        [InlineData("delayed")]           // a ring of past gradients in the task
        [InlineData("moving-optimum")]    // a task that depends on the step
        public void A_run_cancelled_mid_way_resumes_bit_for_bit(string taskName)
        {
            var task = TaskCatalog.Create(taskName);
            var straight = new AeMachine(task, Options()).Run(Law(task.Dimension), Seed);
            Assert.Equal(Budget, straight.StepsTaken);

            string path = Path.Combine(Path.GetTempPath(), "ae-run-" + Guid.NewGuid().ToString("N") + ".aerun");
            string at200 = path + ".200";
            try
            {
                using var cancel = new CancellationTokenSource();
                var options = Options();
                options.CheckpointInterval = 100;
                options.Checkpoint = state =>
                {
                    MachineCheckpoint.Save(path, Identity(task), state, "test-run");
                    if (state.Step == 200) File.Copy(path, at200);
                };
                options.Progress = p => { if (p.Step == 277) cancel.Cancel(); };
                var cut = new AeMachine(task, options).Run(Law(task.Dimension), Seed, cancel.Token);
                Assert.Equal(StopReason.Cancelled, cut.Stop);
                Assert.Equal(277, cut.StepsTaken);

                foreach (var (file, step) in new[] { (path, 277L), (at200, 200L) })
                {
                    var freshTask = TaskCatalog.Create(taskName);
                    var law = Law(freshTask.Dimension);
                    var state = MachineCheckpoint.Load(file, Identity(freshTask), law, freshTask);
                    Assert.Equal(step, state.Step);
                    Assert.Equal(step, law.StepCount);
                    var resumed = new AeMachine(freshTask, Options()).Run(law, Seed, CancellationToken.None, state);
                    AssertSameRun(straight, resumed);
                }

                // The check can fail: the same checkpoint's theta and law with the task's state started afresh.
                if (task.IsStochastic || taskName == "delayed")
                {
                    var freshTask = TaskCatalog.Create(taskName);
                    var law = Law(freshTask.Dimension);
                    var state = MachineCheckpoint.Load(path, Identity(freshTask), law, freshTask);
                    freshTask.Reset(Seed);
                    var wrong = new AeMachine(freshTask, Options()).Run(law, Seed, CancellationToken.None, state);
                    Assert.NotEqual(Bits(straight.FinalTheta.Span), Bits(wrong.FinalTheta.Span));
                }
            }
            finally
            {
                File.Delete(path);
                File.Delete(at200);
            }
        }

        [Fact]
        public void Another_runs_or_a_damaged_checkpoint_is_one_line_and_changes_nothing()
        {
            var task = TaskCatalog.Create("noisy-quadratic");
            string path = Path.Combine(Path.GetTempPath(), "ae-run-" + Guid.NewGuid().ToString("N") + ".aerun");
            try
            {
                using var cancel = new CancellationTokenSource();
                var options = Options();
                options.Checkpoint = state => MachineCheckpoint.Save(path, Identity(task), state, "test-run");
                options.Progress = p => { if (p.Step == 50) cancel.Cancel(); };
                new AeMachine(task, options).Run(Law(task.Dimension), Seed, cancel.Token);
                var bytes = File.ReadAllBytes(path);

                var law = Law(task.Dimension);
                var before = LawState.Save(law);
                void Refused(RunIdentity identity, IOptimizerLaw target, string expected)
                {
                    var ex = Assert.Throws<CheckpointException>(() => MachineCheckpoint.Load(path, identity, target, task));
                    Assert.DoesNotContain('\n', ex.Message);
                    Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
                }
                string name = Path.GetFileName(path);
                Refused(Identity(task) with { Law = "AeSgdm" }, law, "the checkpoint " + name + " is of law AeAdam, this run's is AeSgdm");
                Refused(Identity(task) with { Seed = 8 }, law, "is of seed 7, this run's is 8");
                Refused(Identity(task) with { Steps = 500 }, law, "is of step budget 400, this run's is 500");
                Refused(Identity(task), new Adam(task.Dimension), "is damaged: the log holds 30 signals, this run records 4 signals");
                foreach (int cut in new[] { 3, 40, bytes.Length / 3, bytes.Length - 30, bytes.Length - 1 })
                {
                    File.WriteAllBytes(path, bytes.AsSpan(0, cut).ToArray());
                    Refused(Identity(task), law, "the checkpoint " + name + " is truncated");
                }
                // A flipped bit anywhere after the version (a value, the end mark's neighbours, the checksum itself) reads as
                // valid data; the checksum refuses it. 40 places spread over the file, one bit each.
                foreach (var (_, flipped) in CheckpointDamage.OneBitFlips(bytes, MachineCheckpoint.Magic, 40))
                {
                    File.WriteAllBytes(path, flipped);
                    Refused(Identity(task), law, "the checkpoint " + name + " is damaged: its checksum does not match its contents");
                }
                // A flipped bit in the version is damage too (the checksum is read first), not a file of another build: 3 ^ 1 = 2
                // is the first version with a checksum, so a file that says 2 and fails it is damaged, not of version 2.
                int version = System.Text.Encoding.UTF8.GetByteCount(MachineCheckpoint.Magic) + 1;
                foreach (int bit in new[] { 0, 2, 7, 8 + 2, 31 })
                {
                    var flipped = bytes.ToArray();
                    flipped[version + bit / 8] ^= (byte)(1 << (bit % 8));
                    File.WriteAllBytes(path, flipped);
                    Refused(Identity(task), law, "the checkpoint " + name + " is damaged: its checksum does not match its contents");
                }
                // 3 ^ 2 = 1, a version that had no checksum: the file may be one, and is named as one.
                var versionOne = bytes.ToArray();
                versionOne[version] ^= 2;
                File.WriteAllBytes(path, versionOne);
                Refused(Identity(task), law, "the checkpoint " + name + " is of format version 1; this build reads version 3");
                // Bytes appended to a whole checkpoint are not a cut.
                File.WriteAllBytes(path, bytes.Concat(new byte[] { 1, 2, 3, 4, 5 }).ToArray());
                Refused(Identity(task), law, "the checkpoint " + name + " is damaged: 5 bytes follow its end");
                File.WriteAllText(path, "something else entirely");
                Refused(Identity(task), law, "the file " + name + " is not a run checkpoint");
                Assert.Equal(before, LawState.Save(law));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
