using System;
using System.Collections.Generic;
using System.Linq;
using AE.Experiments.Baselines;
using AE.Experiments.Machine;
using AE.Experiments.Menu;
using AE.Experiments.Tasks;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>The criteria of menu items C, E, G and L on constructed results, and the measures they read.</summary>
    public class MenuCriteriaTests
    {
        private static QuadraticTask Quadratic() => new("quadratic", dimension: 4, condition: 10, targetGap: 1e-6, defaultSteps: 400);

        /// <summary>SGDm on a small quadratic: at lr 1 every seed reaches the target, at 1e-6 none, at 50 every seed diverges.</summary>
        private static ArmResult Sgdm(double lr, params double[] measure)
        {
            var r = ArmComparison.Run(new Arm("sgdm " + lr, (n, _) => new SgdMomentum(n, lr, 0.5)), Quadratic, 2, new MachineOptions { MaxSteps = 400 });
            return measure.Length == 0 ? r : r with { Measure = measure };
        }

        [Fact]
        public void The_runs_behind_the_constructed_results_are_what_they_say()
        {
            Assert.Equal(2, Sgdm(1).Reached);
            Assert.Equal(0, Sgdm(1e-6).Reached);
            Assert.Equal(2, Sgdm(50).Blown);
            Assert.True(double.IsNaN(Sgdm(1e-6).MeanSteps));
        }

        [Fact]
        public void Resonance_holds_for_a_drop_of_a_fifth_at_equal_speed_only()
        {
            Assert.Equal(Verdict.Held, MenuCriteria.Resonance(Sgdm(1, 0.08, 0.08), Sgdm(1, 0.1, 0.1)).Verdict);
            Assert.Equal(Verdict.DidNotHold, MenuCriteria.Resonance(Sgdm(1, 0.09, 0.09), Sgdm(1, 0.1, 0.1)).Verdict);    // 10% less
            Assert.Equal(Verdict.DidNotHold, MenuCriteria.Resonance(Sgdm(1e-6, 0.01, 0.01), Sgdm(1, 0.1, 0.1)).Verdict); // calm but never there
            Assert.Equal(Verdict.NotTestable, MenuCriteria.Resonance(Sgdm(1, 0, 0), Sgdm(1, 0, 0)).Verdict);
        }

        [Fact]
        public void The_noise_law_holds_when_the_exit_is_a_tenth_sooner_without_more_incidents()
        {
            Assert.Equal(Verdict.Held, MenuCriteria.NoiseEscape(Sgdm(1, 90, 90), Sgdm(1, 100, 100), 400).Verdict);
            Assert.Equal(Verdict.DidNotHold, MenuCriteria.NoiseEscape(Sgdm(1, 95, 95), Sgdm(1, 100, 100), 400).Verdict);
            Assert.Equal(Verdict.DidNotHold, MenuCriteria.NoiseEscape(Sgdm(50, 10, 10), Sgdm(1, 100, 100), 400).Verdict);   // sooner, but blown: more incidents
            Assert.Equal(Verdict.NotTestable, MenuCriteria.NoiseEscape(Sgdm(1, 400, 400), Sgdm(1, 400, 400), 400).Verdict);
        }

        [Fact]
        public void The_cliff_holds_when_no_seed_blows_up()
        {
            Assert.Equal(Verdict.Held, MenuCriteria.Cliff(new[] { Sgdm(1), Sgdm(1e-6) }).Verdict);
            var j = MenuCriteria.Cliff(new[] { Sgdm(1), Sgdm(50) });
            Assert.Equal(Verdict.DidNotHold, j.Verdict);
            Assert.Contains("2 blown", j.Numbers, StringComparison.Ordinal);
        }

        [Fact]
        public void An_ablation_holds_only_when_every_removal_is_worse_somewhere()
        {
            var full = new[] { Sgdm(1) };
            Assert.Equal(new[] { "fewer seeds at target (0 against 2)" }, MenuCriteria.Worse(full[0], Sgdm(1e-6)).Take(1));
            Assert.Empty(MenuCriteria.Worse(full[0], Sgdm(1)));
            var held = MenuCriteria.Ablation(full, new (string, IReadOnlyList<ArmResult>)[] { ("R1", new[] { Sgdm(1e-6) }), ("R2", new[] { Sgdm(50) }) });
            Assert.Equal(Verdict.Held, held.Verdict);
            var not = MenuCriteria.Ablation(full, new (string, IReadOnlyList<ArmResult>)[] { ("R1", new[] { Sgdm(1e-6) }), ("R2", new[] { Sgdm(1) }) });
            Assert.Equal(Verdict.DidNotHold, not.Verdict);
            Assert.StartsWith("removals that degrade nothing: R2;", not.Numbers, StringComparison.Ordinal);
            Assert.Equal(Verdict.NotTestable, MenuCriteria.Ablation(full, Array.Empty<(string, IReadOnlyList<ArmResult>)>()).Verdict);
        }

        [Fact]
        public void Sanity_holds_when_the_law_reaches_as_many_cells_and_is_faster_in_most()
        {
            // SGDm at lr 1 (momentum 0.5) reaches the small quadratic in fewer steps than at 0.3.
            Assert.True(Sgdm(1).MeanSteps < Sgdm(0.3).MeanSteps);
            Assert.Equal(Verdict.Held, MenuCriteria.Sanity(new[] { (Sgdm(1), Sgdm(0.3)), (Sgdm(1), Sgdm(1e-6)) }).Verdict);
            var slower = MenuCriteria.Sanity(new[] { (Sgdm(0.3), Sgdm(1)), (Sgdm(1), Sgdm(1e-6)) });
            Assert.Equal(Verdict.DidNotHold, slower.Verdict);
            Assert.Contains("law faster in 0 of 1 cells both reach", slower.Numbers, StringComparison.Ordinal);
            Assert.Equal(Verdict.DidNotHold, MenuCriteria.Sanity(new[] { (Sgdm(50), Sgdm(1e-6)) }).Verdict);   // blown where the fixed one is not
            // neither reaches the target anywhere and neither blows up: nothing is compared
            var neither = MenuCriteria.Sanity(new[] { (Sgdm(1e-6), Sgdm(1e-6)) });
            Assert.Equal(Verdict.NotTestable, neither.Verdict);
            Assert.Contains("cells at target: law 0, fixed 0 of 1", neither.Numbers, StringComparison.Ordinal);
            // the law reaches a cell the fixed rate does not, and they reach none in common: no speed to compare, and reaching decides
            var only = MenuCriteria.Sanity(new[] { (Sgdm(1), Sgdm(1e-6)), (Sgdm(1e-6), Sgdm(1e-6)) });
            Assert.Equal(Verdict.Held, only.Verdict);
            Assert.Contains("law faster in 0 of 0 cells both reach", only.Numbers, StringComparison.Ordinal);
            Assert.EndsWith("(where no cell is reached by both, reaching one is enough)", only.Criterion, StringComparison.Ordinal);
        }

        [Fact]
        public void Recovery_holds_when_the_law_needs_at_most_half_the_best_fixed_schedules_steps()
        {
            double fast = Sgdm(1).MeanSteps, slow = Sgdm(0.3).MeanSteps;
            long switchAt = (long)Math.Ceiling(2 * fast - slow);   // then fast − switch <= (slow − switch) / 2
            Assert.True(switchAt < fast);
            Assert.Equal(Verdict.Held, MenuCriteria.Recovery("t", new[] { Sgdm(1e-6), Sgdm(1) }, new[] { Sgdm(0.3), Sgdm(50) }, switchAt).Verdict);
            Assert.Equal(Verdict.DidNotHold, MenuCriteria.Recovery("t", new[] { Sgdm(0.3) }, new[] { Sgdm(1) }, 0).Verdict);   // slower
            Assert.Equal(Verdict.DidNotHold, MenuCriteria.Recovery("t", new[] { Sgdm(1e-6) }, new[] { Sgdm(0.3) }, 0).Verdict);
            Assert.Equal(Verdict.NotTestable, MenuCriteria.Recovery("t", new[] { Sgdm(1) }, new[] { Sgdm(1e-6), Sgdm(50) }, 0).Verdict);
            // the best fixed schedule at the first step the task counts: nothing can take fewer, so nothing can halve it
            long floor = (long)Math.Ceiling(slow);
            var atFloor = MenuCriteria.Recovery("t", new[] { Sgdm(0.3) }, new[] { Sgdm(0.3) }, 0, countsFrom: floor);
            Assert.Equal(Verdict.NotTestable, atFloor.Verdict);
            Assert.EndsWith("the least any method can take (the target counts from step " + floor + "): nothing can halve it", atFloor.Numbers, StringComparison.Ordinal);
            Assert.True(fast > 2);
            Assert.Equal(Verdict.DidNotHold, MenuCriteria.Recovery("t", new[] { Sgdm(0.3) }, new[] { Sgdm(1) }, 0, countsFrom: (long)fast - 1).Verdict);   // the best fixed is above the floor
        }

        [Fact]
        public void Oscillation_counts_only_the_rises_of_the_log_gap()
        {
            // Plain descent at lr 0.5 on eigenvalues in [0.1, 1] only falls; with momentum 0.95 the iterate overshoots and the gap goes up again.
            var machine = new AeMachine(Quadratic(), new MachineOptions { MaxSteps = 50, AcceptOnTarget = false });
            double calm = ArmComparison.Oscillation(machine.Run(new SgdMomentum(4, 0.5, 0), 0));
            Assert.Equal(0, calm);
            double rough = ArmComparison.Oscillation(machine.Run(new SgdMomentum(4, 0.5, 0.95), 0));
            Assert.True(rough > 0, rough.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var slow = machine.Run(new SgdMomentum(4, 1e-9, 0), 0);
            Assert.Equal(50, ArmComparison.ExitTime(slow));            // never a tenth of the start: the budget
            var fast = new AeMachine(Quadratic(), new MachineOptions { MaxSteps = 400 }).Run(new SgdMomentum(4, 1, 0.5), 0);
            long exit = (long)ArmComparison.ExitTime(fast);
            Assert.True(fast.Log.Loss((int)exit) - fast.OptimumLoss!.Value <= 0.1 * (fast.Log.Loss(0) - fast.OptimumLoss.Value));
            Assert.True(fast.Log.Loss((int)exit - 1) - fast.OptimumLoss.Value > 0.1 * (fast.Log.Loss(0) - fast.OptimumLoss.Value));
        }
    }
}
