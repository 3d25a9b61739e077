using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using AE.Runtime;

namespace AE.Experiments.Menu
{
    /// <summary>An arm of a comparison: a name (the law, the law without a rule, a baseline) and fresh instances for a dimension and seed.</summary>
    public sealed record Arm(string Name, Func<int, ulong, IOptimizerLaw> Create);

    /// <summary>An arm's runs on one task, one per seed, and what the menu's criteria read from them.</summary>
    /// <param name="Measure">per seed, the item's own number (oscillation, exit time, largest change of log alpha), NaN when it has none</param>
    public sealed record ArmResult(string Arm, string Task, IReadOnlyList<MachineRun> Runs, IReadOnlyList<double> Measure)
    {
        public int Seeds => Runs.Count;

        public int Reached => Runs.Count(r => r.StepsToTarget.HasValue);

        /// <summary>Seeds that diverged or met a non-finite value.</summary>
        public int Blown => Runs.Count(r => r.Stop is StopReason.Diverged or StopReason.NonFinite);

        public int Incidents => Runs.Sum(r => r.IncidentCount);

        /// <summary>Per seed, the steps to target when every seed reached it, else none.</summary>
        public IReadOnlyList<double> StepsWhenAllReached => TargetSteps.WhenAllReached(Runs);

        /// <summary>The mean steps to target when every seed reached it, else NaN.</summary>
        public double MeanSteps => TargetSteps.Mean(Runs);

        /// <summary>Per seed, log10 of the final gap above the optimum (floored at 1e-16; a non-finite loss counts as 1e16).</summary>
        public IReadOnlyList<double> FinalLogGaps => Runs.Select(r => double.IsFinite(r.FinalLoss) ? Math.Log10(Math.Max(r.FinalLoss - (r.OptimumLoss ?? 0), 1e-16)) : 16).ToList();

        /// <summary>The mean over seeds of <see cref="FinalLogGaps"/>.</summary>
        public double FinalLogGap => FinalLogGaps.Average();

        public double MeanMeasure => Measure.Average();
    }

    /// <summary>
    /// Steps to target over seeds, taken only when every seed reached the target: a mean over the seeds that got there
    /// would reward an arm for the seeds it lost.
    /// </summary>
    public static class TargetSteps
    {
        /// <summary>Per run, its steps to target when every run reached it; empty otherwise (and for no runs).</summary>
        public static IReadOnlyList<double> WhenAllReached(IReadOnlyList<MachineRun> runs)
            => runs.Count > 0 && runs.All(r => r.StepsToTarget.HasValue) ? runs.Select(r => (double)r.StepsToTarget!.Value).ToList() : Array.Empty<double>();

        /// <summary>The mean of <see cref="WhenAllReached"/>, NaN when it is empty.</summary>
        public static double Mean(IReadOnlyList<MachineRun> runs)
        {
            var steps = WhenAllReached(runs);
            return steps.Count > 0 ? steps.Average() : double.NaN;
        }
    }

    /// <summary>Runs arms side by side on a task, seeds 0 .. K − 1, each on a fresh task instance (the AE machine, as <c>ae ablate</c> runs them).</summary>
    public static class ArmComparison
    {
        public static ArmResult Run(Arm arm, Func<ITask> task, int seeds, MachineOptions? options = null, Func<MachineRun, double>? measure = null,
            CancellationToken cancellationToken = default)
        {
            if (arm is null) throw new ArgumentNullException(nameof(arm));
            if (task is null) throw new ArgumentNullException(nameof(task));
            if (seeds < 1) throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "at least one seed");
            var runs = new List<MachineRun>();
            string name = "";
            for (int s = 0; s < seeds; s++)
            {
                var machine = new AeMachine(task(), options);
                name = machine.Task.Name;
                runs.Add(machine.Run(arm.Create(machine.Task.Dimension, (ulong)s), (ulong)s, cancellationToken));
            }
            return new ArmResult(arm.Name, name, runs, runs.Select(r => measure?.Invoke(r) ?? double.NaN).ToList());
        }

        /// <summary>
        /// The oscillation of a run: the mean over its logged steps of the rise of log10 of the gap above the optimum from one step to
        /// the next (falls count 0): how much of the way is spent going back up.
        /// </summary>
        public static double Oscillation(MachineRun run)
        {
            if (run is null) throw new ArgumentNullException(nameof(run));
            var losses = run.Log.Losses;
            double optimum = run.OptimumLoss ?? 0, sum = 0;
            int n = 0;
            for (int k = 1; k < losses.Length; k++)
            {
                if (!double.IsFinite(losses[k]) || !double.IsFinite(losses[k - 1])) break;
                double a = Math.Log10(Math.Max(losses[k - 1] - optimum, 1e-16)), b = Math.Log10(Math.Max(losses[k] - optimum, 1e-16));
                sum += Math.Max(0, b - a);
                n++;
            }
            return n == 0 ? 0 : sum / n;
        }

        /// <summary>The first step at which the loss's gap is at most <paramref name="fraction"/> of the start's (the plateau left), or the budget when never.</summary>
        public static double ExitTime(MachineRun run, double fraction = 0.1)
        {
            if (run is null) throw new ArgumentNullException(nameof(run));
            var losses = run.Log.Losses;
            double optimum = run.OptimumLoss ?? 0;
            if (losses.Length == 0) return run.MaxSteps;
            double start = losses[0] - optimum;
            for (int k = 0; k < losses.Length; k++)
                if (losses[k] - optimum <= fraction * start) return k;
            return run.MaxSteps;
        }

        /// <summary>
        /// Whether two arms ran the same, seed by seed: every loss of every step within 1e-12 relative (a rule that never acts
        /// leaves the runs equal, up to the rounding of a term that adds zero).
        /// </summary>
        public static bool RanTheSame(ArmResult a, ArmResult b)
        {
            if (a is null) throw new ArgumentNullException(nameof(a));
            if (b is null) throw new ArgumentNullException(nameof(b));
            if (a.Runs.Count != b.Runs.Count || a.Runs.Count == 0) return false;
            for (int i = 0; i < a.Runs.Count; i++)
            {
                var x = a.Runs[i].Log.Losses;
                var y = b.Runs[i].Log.Losses;
                // a run whose log did not come with it (steps taken, none logged) cannot be compared
                if (x.Length != y.Length || a.Runs[i].Stop != b.Runs[i].Stop || (x.Length == 0 && a.Runs[i].StepsTaken > 0)) return false;
                for (int k = 0; k < x.Length; k++)
                    if (!(x[k].Equals(y[k]) || Math.Abs(x[k] - y[k]) <= 1e-12 * Math.Max(Math.Abs(x[k]), Math.Abs(y[k])))) return false;
            }
            return true;
        }

        /// <summary>
        /// The largest change of log alpha over one step (the law's <c>alpha</c> signal; NaN without it), the first step's
        /// from <paramref name="initialAlpha"/> included: the log holds alpha after each step, so without the value it started
        /// from, the first step's change (the one away from an absurd initial rate) was never counted.
        /// </summary>
        public static double LargestLogAlphaStep(MachineRun run, double initialAlpha)
        {
            if (run is null) throw new ArgumentNullException(nameof(run));
            if (!run.Log.RecordsSignals || run.Log.SignalIndex("alpha") < 0) return double.NaN;
            var alpha = run.Log.SignalColumn("alpha");
            double largest = 0;
            for (int k = 0; k < alpha.Length; k++)
            {
                double before = k == 0 ? initialAlpha : alpha[k - 1];
                if (alpha[k] > 0 && before > 0 && double.IsFinite(alpha[k]) && double.IsFinite(before))
                    largest = Math.Max(largest, Math.Abs(Math.Log(alpha[k]) - Math.Log(before)));
            }
            return largest;
        }

        /// <summary>A number as the tables print it (an em dash for NaN; a lower-case exponent).</summary>
        public static string F(double v, string format = "F2") => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture).Replace('E', 'e');
    }
}
