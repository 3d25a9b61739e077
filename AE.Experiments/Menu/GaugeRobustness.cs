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
    /// <summary>One setting of a family: a label, the factor c the loss is multiplied by (1 when only the noise changes) and the task.</summary>
    public sealed record GaugeCondition(string Label, double Scale, Func<ITask> Task);

    /// <summary>A method compared across the conditions: its name and a factory of fresh laws for a dimension and seed.</summary>
    public sealed record GaugeArm(string Method, Func<int, ulong, IOptimizerLaw> Create);

    /// <summary>A method under one condition: one run and one score per seed, and the mean relative-gap curve.</summary>
    /// <param name="Scores">per seed, <see cref="GaugeRobustness.Score"/></param>
    /// <param name="Curve">per step, the mean over seeds of log10 of the relative gap (as the score averages it)</param>
    public sealed record GaugeCell(string Method, GaugeCondition Condition, IReadOnlyList<MachineRun> Runs, IReadOnlyList<double> Scores, double[] Curve)
    {
        public double MeanScore => Scores.Average();

        /// <summary>A seed was stopped by Ctrl-C, or never started: the cell decides nothing.</summary>
        public bool CutShort => Runs.Any(r => r.Stop == StopReason.Cancelled);

        /// <summary>Per seed, log10 of the relative gap at the start.</summary>
        public IReadOnlyList<double> Starts => Runs.Select(r => GaugeRobustness.LogGaps(r, Condition.Scale)[0]).ToList();

        /// <summary>The mean over seeds of <see cref="Starts"/>.</summary>
        public double MeanStart => Starts.Average();

        /// <summary>Seeds whose relative gap reached the task's relative target within the budget.</summary>
        public int Reached => Runs.Count(r => GaugeRobustness.FirstAtTarget(r) is not null);
    }

    /// <summary>
    /// Prediction 2 of seed 001 (section 10, and menu item D): "with AE-8, changing batch size or gradient scale leaves
    /// dynamics largely invariant". The same task under several conditions (the loss times c, or another noise level
    /// where the task has no batch), each method run for the full budget (reaching the target does not stop it).
    /// <para>
    /// A run's score is the mean over the budget of log10 of its relative gap, (L_k − c·L*)/c, floored at 1e-12 (a
    /// run stopped by an incident keeps the worse of its first and last value to the end, as the machine's AUC
    /// does): the same number at every c for dynamics that do not see c. The criterion (<see cref="Judge"/>): a
    /// family of conditions is invariant for a method when the spread (largest minus smallest) of its mean scores
    /// over the conditions is at most <see cref="DefaultTolerance"/> decades, provided that under every condition the
    /// mean score is at least <see cref="MinProgress"/> decade below the mean relative gap at the start (a method that
    /// does not move is trivially invariant: then the family is not testable for it).
    /// </para>
    /// </summary>
    public static class GaugeRobustness
    {
        /// <summary>Half a decade of the mean relative gap: "within small tolerance", about a factor of 3.</summary>
        public const double DefaultTolerance = 0.5;

        /// <summary>How far (decades) the mean score must lie below the start's relative gap under every condition.</summary>
        public const double MinProgress = 1;

        /// <summary>The floor of the relative gap in the score.</summary>
        public const double Floor = 1e-12;

        /// <summary>
        /// The per-step log10 relative gaps of <paramref name="run"/>, padded to its budget: after a stop by an incident or a
        /// non-finite loss with the worse of the first and last finite values, after any other stop with the last; all NaN when
        /// no loss was finite.
        /// </summary>
        public static double[] LogGaps(MachineRun run, double scale)
        {
            if (run is null) throw new ArgumentNullException(nameof(run));
            double optimum = run.OptimumLoss ?? 0;
            var losses = run.Log.Losses;
            var gaps = new double[Math.Max((int)Math.Max(run.MaxSteps, losses.Length), 1)];
            int n = 0;
            while (n < losses.Length && double.IsFinite(losses[n]))
            {
                gaps[n] = Math.Log10(Math.Max((losses[n] - optimum) / scale, Floor));
                n++;
            }
            bool failed = n < losses.Length || run.Stop is StopReason.Diverged or StopReason.NonFinite;
            double pad = n == 0 ? double.NaN : failed ? Math.Max(gaps[0], gaps[n - 1]) : gaps[n - 1];
            for (int k = n; k < gaps.Length; k++) gaps[k] = pad;
            return gaps;
        }

        /// <summary>The score: the mean of <see cref="LogGaps"/>.</summary>
        public static double Score(MachineRun run, double scale) => LogGaps(run, scale).Average();

        /// <summary>The first step whose loss is at the task's target (the relative target at scale c), or null.</summary>
        public static long? FirstAtTarget(MachineRun run)
        {
            var losses = run.Log.Losses;
            for (int k = 0; k < losses.Length; k++)
                if (losses[k] <= run.TargetLoss) return k;
            return null;
        }

        /// <summary>Runs every arm under every condition, seeds 0 .. <paramref name="seeds"/> − 1, for the budget (the task's, or <paramref name="maxSteps"/>).</summary>
        public static IReadOnlyList<GaugeCell> Run(IReadOnlyList<GaugeCondition> conditions, IReadOnlyList<GaugeArm> arms, int seeds, long? maxSteps = null,
            CancellationToken cancellationToken = default)
        {
            if (conditions is null) throw new ArgumentNullException(nameof(conditions));
            if (arms is null) throw new ArgumentNullException(nameof(arms));
            if (seeds < 1) throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "at least one seed");
            var options = new MachineOptions { MaxSteps = maxSteps, AcceptOnTarget = false, RecordSignals = false };
            var cells = new List<GaugeCell>();
            foreach (var arm in arms)
                foreach (var condition in conditions)
                {
                    var runs = new List<MachineRun>();
                    var scores = new List<double>();
                    double[]? curve = null;
                    for (int s = 0; s < seeds; s++)
                    {
                        var machine = new AeMachine(condition.Task(), options);
                        var run = machine.Run(arm.Create(machine.Task.Dimension, (ulong)s), (ulong)s, cancellationToken);
                        var gaps = LogGaps(run, condition.Scale);
                        curve ??= new double[gaps.Length];
                        for (int k = 0; k < curve.Length; k++) curve[k] += gaps[k] / seeds;
                        runs.Add(run);
                        scores.Add(gaps.Average());
                    }
                    cells.Add(new GaugeCell(arm.Method, condition, runs, scores, curve!));
                }
            return cells;
        }

        /// <summary>
        /// Whether a method's mean scores over the conditions of one family stay within <paramref name="tolerance"/> decades of each
        /// other: held when the spread is at most the tolerance, did not hold when it is more; not testable with fewer than two
        /// conditions, a score that is not finite, or a condition under which the score is less than <paramref name="minProgress"/>
        /// decades below the start.
        /// </summary>
        public static Judgement Judge(string family, IReadOnlyList<(string Label, double MeanScore, double MeanStart)> scores,
            double tolerance = DefaultTolerance, double minProgress = MinProgress)
        {
            if (scores is null) throw new ArgumentNullException(nameof(scores));
            string criterion = string.Format(CultureInfo.InvariantCulture,
                "the mean over the budget of log10 of the relative gap (L - c L*)/c, averaged over seeds, may differ across {0} by at most {1:G3} decades, "
                + "each at least {2:G3} decade below the start's", family, tolerance, minProgress);
            string numbers = string.Join(", ", scores.Select(s => s.Label + ": " + s.MeanScore.ToString("F2", CultureInfo.InvariantCulture)
                + " from " + s.MeanStart.ToString("F2", CultureInfo.InvariantCulture)));
            if (scores.Count < 2 || scores.Any(s => !double.IsFinite(s.MeanScore) || !double.IsFinite(s.MeanStart)))
                return new Judgement(Verdict.NotTestable, criterion, "fewer than two conditions with a finite score: " + numbers);
            if (scores.Any(s => s.MeanStart - s.MeanScore < minProgress))
                return new Judgement(Verdict.NotTestable, criterion, "less than " + minProgress.ToString("G3", CultureInfo.InvariantCulture)
                    + " decade of progress under some condition: " + numbers);
            double spread = scores.Max(s => s.MeanScore) - scores.Min(s => s.MeanScore);
            return new Judgement(spread <= tolerance ? Verdict.Held : Verdict.DidNotHold, criterion,
                string.Format(CultureInfo.InvariantCulture, "spread {0:F2} decades ({1})", spread, numbers));
        }

        /// <summary>Several families' verdicts as one: held when all held, did not hold when any did not, else not testable here.</summary>
        public static Verdict Combine(IEnumerable<Verdict> verdicts)
        {
            var all = verdicts.ToList();
            if (all.Count > 0 && all.All(v => v == Verdict.Held)) return Verdict.Held;
            return all.Contains(Verdict.DidNotHold) ? Verdict.DidNotHold : Verdict.NotTestable;
        }
    }
}
