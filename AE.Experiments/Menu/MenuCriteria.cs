using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AE.Experiments.Menu
{
    /// <summary>
    /// The criteria of the menu's items C, E, G and L, each on <see cref="ArmResult"/>s with its margin stated (the
    /// coupling curve and gauge robustness are <see cref="CouplingGrid"/> and <see cref="GaugeRobustness"/>).
    /// </summary>
    public static class MenuCriteria
    {
        /// <summary>C: the oscillation must drop by at least this fraction with the rule on (the seed's "drops ≥X%"; X = 20).</summary>
        public const double OscillationDrop = 0.2;

        /// <summary>"At equal speed": mean steps to target at most this fraction more with the rule on.</summary>
        public const double SpeedSlack = 0.1;

        /// <summary>E: the plateau exit must be at least this fraction sooner with the rule on.</summary>
        public const double ExitGain = 0.1;

        /// <summary>B: the closed loop must need at most this fraction of the fixed schedule's recovery steps (the seed's "halves").</summary>
        public const double RecoveryFactor = 0.5;

        /// <summary>L: a final gap this many decades higher counts as worse.</summary>
        public const double GapDecades = 0.5;

        private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

        private static string Summary(ArmResult r) => r.Arm + " on " + r.Task + ": " + I(r.Reached) + "/" + I(r.Seeds) + " at target"
            + (double.IsNaN(r.MeanSteps) ? "" : " in " + ArmComparison.F(r.MeanSteps, "F1") + " steps") + ", final log10 gap " + ArmComparison.F(r.FinalLogGap)
            + (r.Blown > 0 ? ", " + I(r.Blown) + " blown" : "") + ", " + I(r.Incidents) + " incident(s)";

        /// <summary>Whether <paramref name="on"/> is at least as fast as <paramref name="off"/>: as many seeds at target, and within the slack where both reach it in every seed.</summary>
        private static bool EqualSpeed(ArmResult on, ArmResult off) =>
            on.Reached >= off.Reached && (double.IsNaN(on.MeanSteps) || double.IsNaN(off.MeanSteps) || on.MeanSteps <= (1 + SpeedSlack) * off.MeanSteps);

        /// <summary>C, resonance control: with the rule on the oscillation drops by at least <see cref="OscillationDrop"/> at equal speed.</summary>
        public static Judgement Resonance(ArmResult on, ArmResult off)
        {
            if (on is null) throw new ArgumentNullException(nameof(on));
            if (off is null) throw new ArgumentNullException(nameof(off));
            string criterion = string.Format(CultureInfo.InvariantCulture, "with the rule on, the mean oscillation (the rise of log10 of the gap per step) is at least {0:P0} "
                + "below that with it off, at equal speed (as many seeds at target; mean steps at most {1:P0} more where both reach it in every seed)", OscillationDrop, SpeedSlack);
            string numbers = string.Format(CultureInfo.InvariantCulture, "oscillation {0} on against {1} off; {2}; {3}",
                ArmComparison.F(on.MeanMeasure, "G3"), ArmComparison.F(off.MeanMeasure, "G3"), Summary(on), Summary(off));
            if (!(off.MeanMeasure > 0)) return new Judgement(Verdict.NotTestable, criterion, "no oscillation with the rule off: " + numbers);
            bool held = on.MeanMeasure <= (1 - OscillationDrop) * off.MeanMeasure && EqualSpeed(on, off);
            return new Judgement(held ? Verdict.Held : Verdict.DidNotHold, criterion, numbers);
        }

        /// <summary>E, noise-law utility: with the rule on the plateau is left at least <see cref="ExitGain"/> sooner, with no more incidents.</summary>
        public static Judgement NoiseEscape(ArmResult on, ArmResult off, long budget)
        {
            if (on is null) throw new ArgumentNullException(nameof(on));
            if (off is null) throw new ArgumentNullException(nameof(off));
            string criterion = string.Format(CultureInfo.InvariantCulture, "with the rule on, the mean plateau exit (the first step whose gap is at most 10% of the start's; "
                + "the budget when never) is at least {0:P0} sooner than with it off, with no more incidents", ExitGain);
            string numbers = string.Format(CultureInfo.InvariantCulture, "exit {0} on against {1} off; {2}; {3}",
                ArmComparison.F(on.MeanMeasure, "F1"), ArmComparison.F(off.MeanMeasure, "F1"), Summary(on), Summary(off));
            if (on.Measure.All(m => m >= budget) && off.Measure.All(m => m >= budget))
                return new Judgement(Verdict.NotTestable, criterion, "neither leaves the plateau within the budget: " + numbers);
            bool held = on.MeanMeasure <= (1 - ExitGain) * off.MeanMeasure && on.Incidents <= off.Incidents;
            return new Judgement(held ? Verdict.Held : Verdict.DidNotHold, criterion, numbers);
        }

        /// <summary>G, hyper-cliff: from the absurd rate no seed of the law diverges or meets a non-finite value, on any task.</summary>
        public static Judgement Cliff(IReadOnlyList<ArmResult> law)
        {
            if (law is null) throw new ArgumentNullException(nameof(law));
            const string criterion = "from the absurd initial rate, no seed of the law diverges or meets NaN/Inf on any task (it stabilises without restarts); "
                + "the largest per-step change of log alpha is reported beside it";
            string numbers = string.Join("; ", law.Select(r => Summary(r) + ", largest |d log alpha| of any seed " + ArmComparison.F(r.Measure.DefaultIfEmpty(double.NaN).Max(), "G3")));
            if (law.Count == 0) return new Judgement(Verdict.NotTestable, criterion, "no task");
            return new Judgement(law.All(r => r.Blown == 0) ? Verdict.Held : Verdict.DidNotHold, criterion, numbers);
        }

        /// <summary>
        /// A, core sanity: over cells of (task, initial rate) run by the law and by its fixed-rate optimizer from the same rate, the law
        /// is at target in every seed in at least as many cells, blows up in no more, and is faster in more than half of the cells that
        /// both reach.
        /// </summary>
        public static Judgement Sanity(IReadOnlyList<(ArmResult Law, ArmResult Fixed)> cells)
        {
            if (cells is null) throw new ArgumentNullException(nameof(cells));
            const string criterion = "over the (task, initial rate) cells, the law reaches the target in every seed in at least as many cells as the fixed-rate optimizer "
                + "from the same rate, blows up in no more cells, and is faster in more than half of the cells both reach (where no cell is reached by both, "
                + "reaching one is enough)";
            int lawCells = cells.Count(c => !double.IsNaN(c.Law.MeanSteps)), fixedCells = cells.Count(c => !double.IsNaN(c.Fixed.MeanSteps));
            int lawBlown = cells.Count(c => c.Law.Blown > 0), fixedBlown = cells.Count(c => c.Fixed.Blown > 0);
            var both = cells.Where(c => !double.IsNaN(c.Law.MeanSteps) && !double.IsNaN(c.Fixed.MeanSteps)).ToList();
            int faster = both.Count(c => c.Law.MeanSteps < c.Fixed.MeanSteps);
            string numbers = string.Format(CultureInfo.InvariantCulture, "cells at target: law {0}, fixed {1} of {2}; cells blown: law {3}, fixed {4}; law faster in {5} of {6} cells both reach",
                lawCells, fixedCells, cells.Count, lawBlown, fixedBlown, faster, both.Count);
            if (cells.Count == 0) return new Judgement(Verdict.NotTestable, criterion, "no cell");
            // Neither reaching the target anywhere compares no speed: only a law that blows up more is decided.
            if (lawCells == 0 && fixedCells == 0 && lawBlown <= fixedBlown) return new Judgement(Verdict.NotTestable, criterion, numbers);
            bool held = lawCells >= fixedCells && lawBlown <= fixedBlown && (both.Count == 0 ? lawCells > 0 : 2 * faster > both.Count);
            return new Judgement(held ? Verdict.Held : Verdict.DidNotHold, criterion, numbers);
        }

        /// <summary>
        /// B, recovery from drift on one task: the recovery is the mean steps to target after the switch (<paramref name="switchStep"/>), taken at
        /// each method's best initial rate; held when the law's is at most <see cref="RecoveryFactor"/> of the best fixed schedule's; did not hold
        /// when it is more or the law never recovers; not testable when no fixed schedule recovers, or when the best recovers at
        /// the first step the task counts (<paramref name="countsFrom"/>): no method can recover in less, so none can halve it.
        /// </summary>
        public static Judgement Recovery(string task, IReadOnlyList<ArmResult> law, IReadOnlyList<ArmResult> fixedSchedules, long switchStep, long countsFrom = 0)
        {
            if (law is null) throw new ArgumentNullException(nameof(law));
            if (fixedSchedules is null) throw new ArgumentNullException(nameof(fixedSchedules));
            string criterion = string.Format(CultureInfo.InvariantCulture, "recovery = mean steps to target after the switch at step {0}, at each method's best initial rate; "
                + "held when the law's is at most {1:G3} x the best fixed schedule's", switchStep, RecoveryFactor);
            static ArmResult? Best(IEnumerable<ArmResult> rs) => rs.Where(r => !double.IsNaN(r.MeanSteps)).OrderBy(r => r.MeanSteps).FirstOrDefault();
            var bestLaw = Best(law);
            var bestFixed = Best(fixedSchedules);
            string Rec(ArmResult? r) => r is null ? "never (in every seed)" : ArmComparison.F(r.MeanSteps - switchStep, "F1") + " (" + r.Arm + ")";
            string numbers = task + ": law " + Rec(bestLaw) + ", best fixed " + Rec(bestFixed);
            if (bestFixed is null) return new Judgement(Verdict.NotTestable, criterion, numbers);
            if (countsFrom > switchStep && bestFixed.MeanSteps <= countsFrom)
                return new Judgement(Verdict.NotTestable, criterion, numbers + ", the least any method can take (the target counts from step "
                    + countsFrom.ToString(CultureInfo.InvariantCulture) + "): nothing can halve it");
            bool held = bestLaw is not null && bestLaw.MeanSteps - switchStep <= RecoveryFactor * (bestFixed.MeanSteps - switchStep);
            return new Judgement(held ? Verdict.Held : Verdict.DidNotHold, criterion, numbers);
        }

        /// <summary>Whether <paramref name="removed"/> is worse than <paramref name="full"/> on the same task in any metric, and which.</summary>
        public static IReadOnlyList<string> Worse(ArmResult full, ArmResult removed)
        {
            if (full is null) throw new ArgumentNullException(nameof(full));
            if (removed is null) throw new ArgumentNullException(nameof(removed));
            var worse = new List<string>();
            if (removed.Reached < full.Reached) worse.Add("fewer seeds at target (" + I(removed.Reached) + " against " + I(full.Reached) + ")");
            if (removed.Blown > full.Blown) worse.Add("more blown seeds (" + I(removed.Blown) + " against " + I(full.Blown) + ")");
            if (!double.IsNaN(removed.MeanSteps) && !double.IsNaN(full.MeanSteps) && removed.MeanSteps > (1 + SpeedSlack) * full.MeanSteps)
                worse.Add("slower (" + ArmComparison.F(removed.MeanSteps, "F1") + " against " + ArmComparison.F(full.MeanSteps, "F1") + " steps)");
            if (removed.FinalLogGap > full.FinalLogGap + GapDecades)
                worse.Add("final log10 gap " + ArmComparison.F(removed.FinalLogGap) + " against " + ArmComparison.F(full.FinalLogGap));
            if (removed.Incidents > full.Incidents) worse.Add("more incidents (" + I(removed.Incidents) + " against " + I(full.Incidents) + ")");
            return worse;
        }

        /// <summary>L, knock-outs: every removal is worse than the full law in at least one metric (<see cref="Worse"/>) on at least one task.</summary>
        /// <param name="full">the full law, one result per task</param>
        /// <param name="removed">per rule, its removal's results on the same tasks in the same order</param>
        public static Judgement Ablation(IReadOnlyList<ArmResult> full, IReadOnlyList<(string Rule, IReadOnlyList<ArmResult> Results)> removed)
        {
            if (full is null) throw new ArgumentNullException(nameof(full));
            if (removed is null) throw new ArgumentNullException(nameof(removed));
            string criterion = string.Format(CultureInfo.InvariantCulture, "each removal is worse than the full law on at least one task in at least one metric: fewer seeds at target, "
                + "more blown seeds, mean steps more than {0:P0} higher, a final gap more than {1:G3} decade higher, or more incidents", SpeedSlack, GapDecades);
            if (removed.Count == 0) return new Judgement(Verdict.NotTestable, criterion, "the law has no switchable rule");
            var harmless = new List<string>();
            var parts = new List<string>();
            foreach (var (rule, results) in removed)
            {
                var worse = full.Zip(results, (f, r) => (f.Task, Worse: Worse(f, r))).Where(x => x.Worse.Count > 0).ToList();
                if (worse.Count == 0) harmless.Add(rule);
                parts.Add(rule + ": " + (worse.Count == 0 ? "no metric worse" : string.Join(", ", worse.Select(w => w.Task + " " + string.Join(", ", w.Worse)))));
            }
            string numbers = (harmless.Count == 0 ? "every removal degrades a metric" : "removals that degrade nothing: " + string.Join(", ", harmless)) + "; " + string.Join("; ", parts);
            return new Judgement(harmless.Count == 0 ? Verdict.Held : Verdict.DidNotHold, criterion, numbers);
        }
    }
}
