using System;
using System.IO;
using QuadraticDemo;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>
    /// examples/QuadraticDemo, whose laws the generator compiled in the example's own build (as in a
    /// user's project): the seed law stalls, AeSgdmNoResonance converges to the optimum.
    /// </summary>
    public class QuadraticDemoTests
    {
        [Fact]
        public void The_optimum_is_computed_exactly()
        {
            var plant = Quadratic.Seed();
            Assert.Equal(1.0 / 3.0, plant.Optimum[0], 15);
            Assert.Equal(-2.0, plant.Optimum[1], 15);
            Assert.Equal(-13.0 / 6.0, plant.OptimalLoss, 15);
            // The seed's predicate (loss <= eps_loss) accepts theta = 0, which is far from the optimum.
            Assert.Equal(0.0, plant.Loss(new double[2]));
        }

        [Fact]
        public void The_variant_without_the_resonance_clamp_converges_to_the_optimum_loss()
        {
            var plant = Quadratic.Seed();
            var result = AeMachine.Run(Program.CreateNoResonanceLaw(2), plant, new double[2], new AcceptSettings());
            Assert.Equal(Outcome.Converged, result.Outcome);
            Assert.True(Math.Abs(result.Loss - plant.OptimalLoss) <= 1e-6, $"loss {result.Loss:R}, optimum {plant.OptimalLoss:R}");
            Assert.True(result.Steps > 1, "accepted at step 1, as the seed's predicate would");
            Assert.True(Math.Abs(plant.Loss(result.Theta) - plant.OptimalLoss) <= 1e-6);
        }

        [Fact]
        public void The_seed_law_stalls_away_from_the_optimum()
        {
            var plant = Quadratic.Seed();
            var result = AeMachine.Run(Program.CreateSeedLaw(2), plant, new double[2], new AcceptSettings());
            Assert.NotEqual(Outcome.Converged, result.Outcome);
            Assert.True(Math.Abs(result.Loss - plant.OptimalLoss) > 1e-6, $"loss {result.Loss:R}");
            // Not even within the full budget of 300 steps (the golden quadratic_2d case ends at -0.9075).
            var full = AeMachine.Run(Program.CreateSeedLaw(2), plant, new double[2], new AcceptSettings { MinSteps = int.MaxValue });
            Assert.Equal(Outcome.MaxSteps, full.Outcome);
            Assert.True(full.Gap > 1.0, $"loss {full.Loss:R}");
        }

        [Fact]
        public void The_demo_prints_the_seed_table_and_exits_0()
        {
            var original = Console.Out;
            var output = new StringWriter();
            int code;
            try
            {
                Console.SetOut(output);
                code = Program.Main();
            }
            finally
            {
                Console.SetOut(original);
            }
            string text = output.ToString();
            Assert.Equal(0, code);
            Assert.Contains(AeMachine.Header, text, StringComparison.Ordinal);
            Assert.Contains(" 0025 | ", text, StringComparison.Ordinal);
            Assert.Contains("stalled", text, StringComparison.Ordinal);
            Assert.Contains("converged at step", text, StringComparison.Ordinal);
        }
    }
}
