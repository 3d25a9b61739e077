using System;
using System.Collections.Generic;
using System.Linq;
using AE.Experiments.Compilation;
using AE.Experiments.Machine;
using AE.Experiments.Replay;
using AE.Experiments.Swarm;
using AE.Experiments.Tasks;
using AE.Runtime;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>AE-Swarm's arithmetic against hand-computed cases, and the population runner against the machine's single runs.</summary>
    public class SwarmMathTests
    {
        [Fact]
        public void At_temperature_zero_the_lowest_score_takes_all_the_weight_and_ties_share_it()
        {
            Assert.Equal(new[] { 0, 0.5, 0, 0.5 }, SwarmMath.Weights(new[] { 3.0, 1, 2, 1 }, 0));
            Assert.Equal(new[] { 0.0, 1, 0 }, SwarmMath.Weights(new[] { 2.0, -5, 7 }, 0));
        }

        [Fact]
        public void As_the_temperature_falls_the_weights_approach_the_argmin()
        {
            var scores = new[] { 0.3, 0.1, 0.2 };
            double previous = 0;
            foreach (double t in new[] { 10, 1, 0.1, 0.01 })
            {
                var w = SwarmMath.Weights(scores, t);
                Assert.True(w[1] > previous, "the best member's weight grows as T falls (T = " + t + ")");
                previous = w[1];
            }
            // T = 0.01: the others, 0.2 and 0.1 above the best, weigh e^-20 and e^-10 against its 1
            Assert.Equal(1 / (1 + Math.Exp(-20) + Math.Exp(-10)), previous, 15);
            Assert.Equal(new[] { 0, 1.0, 0 }, SwarmMath.Weights(scores, 1e-4));
        }

        [Fact]
        public void At_infinite_temperature_every_finite_score_weighs_the_same_and_large_temperatures_approach_it()
        {
            Assert.Equal(new[] { 1 / 3.0, 1 / 3.0, 1 / 3.0, 0 }, SwarmMath.Weights(new[] { 3.0, 1, 2, double.PositiveInfinity }, double.PositiveInfinity));
            foreach (double w in SwarmMath.Weights(new[] { 3.0, 1, 2 }, 1e9)) Assert.Equal(1 / 3.0, w, 8);
        }

        [Fact]
        public void Weights_are_a_softmax_of_minus_score_over_temperature()
        {
            // exp(0), exp(-ln 2), exp(-ln 4) = 1, 1/2, 1/4; sum 7/4
            var w = SwarmMath.Weights(new[] { 0, Math.Log(2), Math.Log(4) }, 1);
            Assert.Equal(4 / 7.0, w[0], 14);
            Assert.Equal(2 / 7.0, w[1], 14);
            Assert.Equal(1 / 7.0, w[2], 14);
            // T = 2 halves the exponents: 1, 1/sqrt(2), 1/2
            double z = 1 + 1 / Math.Sqrt(2) + 0.5;
            var w2 = SwarmMath.Weights(new[] { 5, 5 + Math.Log(2), 5 + Math.Log(4) }, 2);
            Assert.Equal(1 / z, w2[0], 12);
            Assert.Equal(1 / Math.Sqrt(2) / z, w2[1], 12);
            Assert.Equal(0.5 / z, w2[2], 12);
        }

        [Fact]
        public void A_dead_member_weighs_nothing_and_all_dead_weigh_alike()
        {
            Assert.Equal(new[] { 1.0, 0, 0 }, SwarmMath.Weights(new[] { 4.0, double.NaN, double.PositiveInfinity }, 1));
            Assert.Equal(new[] { 0.5, 0.5 }, SwarmMath.Weights(new[] { double.NaN, double.PositiveInfinity }, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => SwarmMath.Weights(new[] { 1.0 }, -1));
            Assert.Throws<ArgumentOutOfRangeException>(() => SwarmMath.Weights(new[] { 1.0 }, double.NaN));
        }

        [Fact]
        public void Budgets_give_the_floor_then_the_rest_by_largest_remainder()
        {
            // rest 70 shared 35, 17.5, 17.5: floors 35, 17, 17 and the one step left to the first of the tied remainders
            Assert.Equal(new long[] { 45, 28, 27 }, SwarmMath.Budgets(new[] { 0.5, 0.25, 0.25 }, 100, 10));
            // a dead member gets nothing, not even the floor: rest 20 shared 18, 2
            Assert.Equal(new long[] { 23, 7, 0 }, SwarmMath.Budgets(new[] { 0.9, 0.1, 0 }, 30, 5, new[] { false, false, true }));
            // equal weights: equal shares, the remainder to the lowest indices
            Assert.Equal(new long[] { 4, 3, 3 }, SwarmMath.Budgets(new[] { 1 / 3.0, 1 / 3.0, 1 / 3.0 }, 10, 0));
            // one-hot weights: everything above the floors to the best
            Assert.Equal(new long[] { 5, 90, 5 }, SwarmMath.Budgets(new[] { 0.0, 1, 0 }, 100, 5));
        }

        [Fact]
        public void Budgets_always_sum_to_the_total_and_respect_the_floor_and_the_order_of_the_weights()
        {
            var random = new Random(7);
            for (int trial = 0; trial < 500; trial++)
            {
                int k = random.Next(2, 12);
                var w = Enumerable.Range(0, k).Select(_ => random.NextDouble() < 0.2 ? 0 : random.NextDouble()).ToArray();
                if (w.Sum() == 0) w[0] = 1;
                var dead = Enumerable.Range(0, k).Select(_ => random.NextDouble() < 0.15).ToArray();
                int live = dead.Count(d => !d);
                long min = random.Next(0, 20);
                long total = min * live + random.Next(0, 1000);
                var b = SwarmMath.Budgets(w, total, min, dead);
                if (live > 0) Assert.Equal(total, b.Sum());
                for (int i = 0; i < k; i++)
                {
                    if (dead[i]) Assert.Equal(0, b[i]);
                    else Assert.True(b[i] >= min);
                    for (int j = 0; j < k; j++)
                        if (!dead[i] && !dead[j] && w[i] > w[j]) Assert.True(b[i] >= b[j], "a larger weight never gets fewer steps");
                }
            }
        }

        [Fact]
        public void Budgets_refuse_floors_that_exceed_the_total()
        {
            Assert.Throws<ArgumentException>(() => SwarmMath.Budgets(new[] { 0.5, 0.5 }, 10, 6));
        }

        [Fact]
        public void The_nudge_is_a_convex_step_toward_the_target_in_the_coefficients_space()
        {
            Assert.Equal(0.55, SwarmMath.Nudge(0.5, 1.0, 0.1, logSpace: false), 15);
            Assert.Equal(1e-2, SwarmMath.Nudge(1e-3, 1e-1, 0.5, logSpace: true), 15);
            Assert.Equal(0.3, SwarmMath.Nudge(0.3, 0.9, 0, logSpace: false));
            Assert.Equal(0.9, SwarmMath.Nudge(0.3, 0.9, 1, logSpace: false), 15);
            Assert.Equal(Math.Pow(10, -2.25), SwarmMath.WeightedMean(new[] { 1e-3, 1e-2, 1e-1 }, new[] { 0.5, 0.25, 0.25 }, logSpace: true), 15);
            Assert.Equal(0.675, SwarmMath.WeightedMean(new[] { 0.5, 0.8, 0.9 }, new[] { 0.5, 0.25, 0.25 }, logSpace: false), 15);
            Assert.Throws<ArgumentOutOfRangeException>(() => SwarmMath.Nudge(1, 2, 1.5, false));
        }
    }

    /// <summary>The population runner with the shipped AE-SGDm.</summary>
    public class SwarmRunnerTests
    {
        private static readonly Lazy<CompiledLaw> Sgdm = new(() => CompiledLaw.Load(new[] { "laws/ae_sgdm.ae" }, null, RepoPaths.Root));

        private static object Options(params (string Name, object Value)[] values)
        {
            var options = Activator.CreateInstance(LawSettings.OptionsType(Sgdm.Value.Type))!;
            foreach (var (name, value) in values) options.GetType().GetProperty(name)!.SetValue(options, value);
            return options;
        }

        /// <summary>Members whose initial rates span 1e-3 .. 1e-1, without noise and without the step-dependent gauge warm-up.</summary>
        private static object[] Members(int k, params (string Name, object Value)[] extra) => Enumerable.Range(0, k)
            .Select(j => Options(extra.Concat(new (string, object)[] { ("init_alpha", 1e-3 * Math.Pow(100, (double)j / (k - 1))), ("sigma_max", 0.0), ("auto_gamma", false) }).ToArray()))
            .ToArray();

        private static ITask Quadratic() => TaskCatalog.Create("quadratic");

        private static IOptimizerPopulation Population(object[] options, ulong seed = 0)
        {
            var array = Array.CreateInstance(LawSettings.OptionsType(Sgdm.Value.Type), options.Length);
            for (int j = 0; j < options.Length; j++) array.SetValue(options[j], j);
            return (IOptimizerPopulation)Activator.CreateInstance(SwarmRunner.PopulationType(Sgdm.Value), options.Length, 3, array, seed)!;
        }

        private static double Signal(IOptimizerPopulation p, int j, string name) => p.ReadSignal(j, p.SignalNames.ToList().IndexOf(name));

        [Fact]
        public void Consensus_moves_every_coefficient_toward_the_weighted_mean_by_kappa()
        {
            var options = new[]
            {
                Options(("init_alpha", 1e-3), ("init_mu", 0.5)),
                Options(("init_alpha", 1e-2), ("init_mu", 0.8)),
                Options(("init_alpha", 1e-1), ("init_mu", 0.9)),
            };
            var population = Population(options);
            var lanes = new PopulationLanes(population, Sgdm.Value.Target.Unit);
            Assert.Equal(new[] { "alpha", "mu", "sigma" }, lanes.Coefficients.Select(c => c.Name));
            var targets = SwarmRunner.Consensus(lanes, new[] { 0.5, 0.25, 0.25 }, 0.5, new bool[3]);
            // alpha is a log coefficient: the geometric mean 10^-(0.5*3 + 0.25*2 + 0.25*1) = 10^-2.25, and each log alpha halfway to it
            Assert.Equal(Math.Pow(10, -2.25), targets["alpha"], 14);
            Assert.Equal(Math.Pow(10, -(3 + 2.25) / 2), Signal(population, 0, "alpha"), 14);
            Assert.Equal(Math.Pow(10, -(2 + 2.25) / 2), Signal(population, 1, "alpha"), 14);
            Assert.Equal(Math.Pow(10, -(1 + 2.25) / 2), Signal(population, 2, "alpha"), 14);
            // mu is linear: 0.5*0.5 + 0.25*0.8 + 0.25*0.9 = 0.675
            Assert.Equal(0.675, targets["mu"], 14);
            Assert.Equal((0.5 + 0.675) / 2, Signal(population, 0, "mu"), 14);
            Assert.Equal((0.8 + 0.675) / 2, Signal(population, 1, "mu"), 14);
            Assert.Equal((0.9 + 0.675) / 2, Signal(population, 2, "mu"), 14);
            Assert.Equal(0, Signal(population, 1, "sigma"));
        }

        [Fact]
        public void A_dead_member_is_left_out_of_the_mean_and_left_alone()
        {
            var population = Population(new[] { Options(("init_mu", 0.2)), Options(("init_mu", 0.6)), Options(("init_mu", 0.9)) });
            var lanes = new PopulationLanes(population, Sgdm.Value.Target.Unit);
            var targets = SwarmRunner.Consensus(lanes, new[] { 0.5, 0.5, 0 }, 1, new[] { false, false, true });
            Assert.Equal(0.4, targets["mu"], 14);
            Assert.Equal(0.4, Signal(population, 0, "mu"), 14);
            Assert.Equal(0.4, Signal(population, 1, "mu"), 14);
            Assert.Equal(0.9, Signal(population, 2, "mu"));
        }

        [Fact]
        public void A_written_coefficient_is_projected_onto_its_param_bounds()
        {
            var population = Population(new[] { Options(("mu_max", 0.95)), Options() });
            var lanes = new PopulationLanes(population, Sgdm.Value.Target.Unit);
            var mu = lanes.Coefficients.Single(c => c.Name == "mu");
            Assert.Equal(0.95, lanes.WriteCoefficient(0, mu, 1.3));
            Assert.Equal(0.999, lanes.WriteCoefficient(1, mu, 1.3));
            Assert.Equal(0.0, lanes.WriteCoefficient(1, mu, -2));
        }

        [Fact]
        public void A_copied_lane_then_steps_as_its_source()
        {
            var population = Population(new[] { Options(("init_alpha", 0.05), ("sigma_max", 0.0)), Options(("init_alpha", 0.001), ("sigma_max", 0.0)) });
            var lanes = new PopulationLanes(population, Sgdm.Value.Target.Unit);
            var theta = new double[] { 1, 2, 0.5, -1, 3, 3 };   // element-major: controller 0 is (1, 0.5, 3), controller 1 (2, -1, 3)
            var grad = new double[6];
            for (int step = 0; step < 5; step++)
            {
                for (int i = 0; i < 6; i++) grad[i] = theta[i];
                population.Step(new[] { 1.0, 2.0 }, grad, theta);
            }
            Assert.NotEqual(Signal(population, 0, "alpha"), Signal(population, 1, "alpha"));
            lanes.Copy(0, 1);
            for (int i = 0; i < 3; i++) theta[i * 2 + 1] = theta[i * 2];
            for (int step = 0; step < 5; step++)
            {
                for (int i = 0; i < 6; i++) grad[i] = theta[i];
                population.Step(new[] { 1.0, 1.0 }, grad, theta);
            }
            for (int i = 0; i < 3; i++) Assert.Equal(theta[i * 2], theta[i * 2 + 1]);
            foreach (var name in population.SignalNames) Assert.Equal(Signal(population, 0, name), Signal(population, 1, name));
        }

        [Fact]
        public void Independent_members_are_the_machines_single_runs_bit_for_bit()
        {
            const int k = 3;
            var options = Members(k);
            var settings = new SwarmSettings(k, Rounds: 3, StepsPerMember: 60);
            var run = SwarmRunner.Run(Sgdm.Value, options, Quadratic, SwarmMethod.Independent, settings, seed: 2);
            Assert.False(run.Reached);
            for (int j = 0; j < k; j++)
            {
                ulong seed = 2 * k + (ulong)j;
                var law = Sgdm.Value.Create(20, options[j], seed);
                var single = new AeMachine(Quadratic(), new MachineOptions { MaxSteps = 60 }).Run(law, seed);
                var member = run.Members[j];
                Assert.Equal(seed, member.Seed);
                Assert.Equal(60, member.StepsTaken);
                Assert.Equal(single.Log.Losses.ToArray(), member.Log.Losses.ToArray());
                Assert.Equal(single.FinalTheta.ToArray(), member.FinalTheta.ToArray());
                Assert.Equal(single.Log.SignalColumn("alpha"), member.Log.SignalColumn("alpha"));
            }
        }

        [Fact]
        public void Without_consensus_a_member_with_a_varying_budget_is_the_single_run_cut_at_its_steps()
        {
            // kappa = 0: the swarm only moves compute; a frozen member must resume exactly where it stopped.
            const int k = 5;
            var options = Members(k);
            var settings = new SwarmSettings(k, Rounds: 4, StepsPerMember: 40, Temperature: 0.5, Kappa: 0);
            var run = SwarmRunner.Run(Sgdm.Value, options, Quadratic, SwarmMethod.Swarm, settings, seed: 1);
            Assert.True(run.Members.Select(m => m.StepsTaken).Distinct().Count() > 1, "the budgets differ between members");
            for (int j = 0; j < k; j++)
            {
                ulong seed = 1 * k + (ulong)j;
                var member = run.Members[j];
                var single = new AeMachine(Quadratic(), new MachineOptions { MaxSteps = member.StepsTaken }).Run(Sgdm.Value.Create(20, options[j], seed), seed);
                Assert.Equal(single.Log.Losses.ToArray(), member.Log.Losses.ToArray());
                Assert.Equal(single.FinalTheta.ToArray(), member.FinalTheta.ToArray());
            }
        }

        [Fact]
        public void The_budgets_of_every_round_are_respected_and_sum_to_the_round()
        {
            const int k = 4;
            var settings = new SwarmSettings(k, Rounds: 5, StepsPerMember: 50, Temperature: 0.3, MinSteps: 3);
            var run = SwarmRunner.Run(Sgdm.Value, Members(k), Quadratic, SwarmMethod.Swarm, settings, seed: 0);
            Assert.False(run.Reached);
            Assert.Equal(0, run.Dead);
            Assert.Equal(5, run.Rounds.Count);
            var given = Enumerable.Repeat(10L, k).ToArray();   // round 1: the equal share S / R
            foreach (var round in run.Rounds.Take(4))
            {
                Assert.Equal(k * 10, round.Budgets.Sum());
                Assert.All(round.Budgets, b => Assert.True(b >= 3));
                for (int j = 0; j < k; j++) given[j] += round.Budgets[j];
            }
            Assert.Empty(run.Rounds[^1].Budgets);
            for (int j = 0; j < k; j++) Assert.Equal(given[j], run.Members[j].StepsTaken);
            Assert.Equal(5 * k * 10, run.Compute);
            // the member with the lowest score gets the most steps
            foreach (var round in run.Rounds.Take(4))
            {
                int best = Enumerable.Range(0, k).OrderBy(j => round.Scores[j]).First();
                Assert.Equal(round.Budgets.Max(), round.Budgets[best]);
            }
        }

        [Fact]
        public void At_temperature_zero_all_steps_above_the_floors_go_to_the_best_member()
        {
            const int k = 3;
            var settings = new SwarmSettings(k, Rounds: 2, StepsPerMember: 40, Temperature: 0, MinSteps: 2);
            var run = SwarmRunner.Run(Sgdm.Value, Members(k), Quadratic, SwarmMethod.Swarm, settings, seed: 0);
            var first = run.Rounds[0];
            int best = Enumerable.Range(0, k).OrderBy(j => first.Scores[j]).First();
            for (int j = 0; j < k; j++) Assert.Equal(j == best ? 3 * 20 - 2 * 2 : 2, first.Budgets[j]);
        }

        [Fact]
        public void The_same_seed_gives_the_same_run_bit_for_bit()
        {
            foreach (var method in new[] { SwarmMethod.Swarm, SwarmMethod.Pbt })
            {
                var settings = new SwarmSettings(5, Rounds: 4, StepsPerMember: 40, Dither: 0.5);
                SwarmRun Once() => SwarmRunner.Run(Sgdm.Value, Members(5, ("sigma_max", 1.0)), Quadratic, method, settings, seed: 3);
                var a = Once();
                var b = Once();
                for (int j = 0; j < 5; j++)
                {
                    Assert.Equal(a.Members[j].FinalTheta.ToArray(), b.Members[j].FinalTheta.ToArray());
                    Assert.Equal(a.Members[j].Log.Losses.ToArray(), b.Members[j].Log.Losses.ToArray());
                }
                for (int r = 0; r < a.Rounds.Count; r++)
                {
                    Assert.Equal(a.Rounds[r].Scores, b.Rounds[r].Scores);
                    Assert.Equal(a.Rounds[r].Budgets, b.Rounds[r].Budgets);
                    Assert.Equal(a.Rounds[r].Consensus, b.Rounds[r].Consensus);
                    Assert.Equal(a.Rounds[r].Copies, b.Rounds[r].Copies);
                }
                var other = SwarmRunner.Run(Sgdm.Value, Members(5, ("sigma_max", 1.0)), Quadratic, method, settings, seed: 4);
                Assert.NotEqual(a.Members[0].FinalTheta.ToArray(), other.Members[0].FinalTheta.ToArray());
            }
        }

        [Fact]
        public void The_dither_moves_only_the_worst_member()
        {
            // equal budgets and no consensus: the members do not interact, so only the dithered one can differ
            const int k = 4;
            SwarmRun Once(double dither) => SwarmRunner.Run(Sgdm.Value, Members(k), Quadratic, SwarmMethod.Swarm,
                new SwarmSettings(k, Rounds: 2, StepsPerMember: 20, Temperature: double.PositiveInfinity, Kappa: 0, Dither: dither), seed: 0);
            var plain = Once(0);
            var dithered = Once(2);
            int worst = Enumerable.Range(0, k).OrderByDescending(j => plain.Rounds[0].Scores[j]).First();
            for (int j = 0; j < k; j++)
            {
                bool same = plain.Members[j].FinalTheta.ToArray().SequenceEqual(dithered.Members[j].FinalTheta.ToArray());
                Assert.True(same == (j != worst), "member " + j + (j == worst ? " (the worst) was not moved" : " was moved"));
            }
        }

        [Fact]
        public void Pbt_replaces_the_worst_quarter_by_a_copy_of_the_best_quarter()
        {
            const int k = 8;
            var settings = new SwarmSettings(k, Rounds: 3, StepsPerMember: 30);
            var run = SwarmRunner.Run(Sgdm.Value, Members(k), Quadratic, SwarmMethod.Pbt, settings, seed: 0);
            foreach (var round in run.Rounds.Take(2))
            {
                var order = Enumerable.Range(0, k).OrderBy(j => round.Scores[j]).ThenBy(j => j).ToArray();
                Assert.Equal(2, round.Copies.Count);
                Assert.Equal(order.Skip(6).OrderBy(j => j), round.Copies.Select(c => c.To).OrderBy(j => j));
                Assert.All(round.Copies, c => Assert.Contains(c.From, order.Take(2)));
                Assert.Equal(Enumerable.Repeat(30L / 3, k), round.Budgets);
            }
        }

        [Fact]
        public void Settings_that_cannot_run_say_why()
        {
            Assert.Contains("at least 2 members", new SwarmSettings(1, 1, 10).Problem());
            Assert.Contains("kappa", new SwarmSettings(2, 1, 10, Kappa: 2).Problem());
            // a round of 2 x 10 steps holds two floors of 10, not of 11
            Assert.Contains("minimum", new SwarmSettings(2, 1, 10, MinSteps: 11).Problem());
            Assert.Null(new SwarmSettings(2, 1, 10, MinSteps: 10).Problem());
            Assert.Throws<ArgumentException>(() => SwarmRunner.Run(Sgdm.Value, Members(2), Quadratic, SwarmMethod.Swarm, new SwarmSettings(1, 1, 10), 0));
        }
    }
}
