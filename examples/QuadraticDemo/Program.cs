using System;
using System.Globalization;
using AE.Runtime;
using QuadraticDemo.Laws;

namespace QuadraticDemo
{
    /// <summary>
    /// The seed's AE Machine demo (AE_Machine.py, "__main__"): minimise 0.5 θᵀAθ − bᵀθ with
    /// A = [[3, 0], [0, 1]], b = [1, −2] from θ = 0, with the laws generated from laws/ae_sgdm.ae:
    /// the seed's law, whose resonance clamp collapses α and stalls the run, and AeSgdmNoResonance
    /// (the same law without rule AE5), which converges.
    /// </summary>
    public static class Program
    {
        /// <summary>The seed's demo settings: deterministic (σ bounds 0), auto-γ after 20 steps, α in [1e-6, 0.3].</summary>
        public static AeSgdm CreateSeedLaw(int n) => new(n, new AeSgdm.Options
        {
            init_alpha = 0.05, init_mu = 0.0, init_sigma = 0.0,
            sigma_min = 0.0, sigma_max = 0.0,
            auto_gamma = true, auto_gamma_warmup = 20,
            alpha_min = 1e-6, alpha_max = 0.3,
            step_norm_max = double.PositiveInfinity, param_abs_max = 1e6,
        }, seed: 0);

        public static AeSgdmNoResonance CreateNoResonanceLaw(int n) => new(n, new AeSgdmNoResonance.Options
        {
            init_alpha = 0.05, init_mu = 0.0, init_sigma = 0.0,
            sigma_min = 0.0, sigma_max = 0.0,
            auto_gamma = true, auto_gamma_warmup = 20,
            alpha_min = 1e-6, alpha_max = 0.3,
            step_norm_max = double.PositiveInfinity, param_abs_max = 1e6,
        }, seed: 0);

        public static int Main()
        {
            var plant = Quadratic.Seed();
            var settings = new AcceptSettings();
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "Quadratic 0.5 θᵀAθ − bᵀθ, A = [[3, 0], [0, 1]], b = [1, −2]; optimum θ* = ({0:R}, {1:R}), loss {2:R}",
                plant.Optimum[0], plant.Optimum[1], plant.OptimalLoss));
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "accept: |L − L*| ≤ {0:G}, or after {1} steps the seed's stall test γ ≤ {2:G} and V ≤ {3:G}; at most {4} steps",
                settings.EpsLoss, settings.MinSteps, settings.GammaMin, settings.VMaxAccept, settings.MaxSteps));

            var seed = Report("seed law AeSgdm (with the AE5 resonance clamp)", CreateSeedLaw(plant.Dimension), plant, settings);
            var variant = Report("AeSgdmNoResonance (AeSgdm without AE5)", CreateNoResonanceLaw(plant.Dimension), plant, settings);

            // The demo's point: the variant converges, the seed law does not.
            return variant.Outcome == Outcome.Converged && seed.Outcome != Outcome.Converged ? 0 : 1;
        }

        private static RunResult Report(string title, IOptimizerLaw law, Quadratic plant, AcceptSettings settings)
        {
            Console.WriteLine();
            Console.WriteLine("== " + title);
            Console.WriteLine(AeMachine.Header);
            var result = AeMachine.Run(law, plant, new double[plant.Dimension], settings, Console.Out);
            string what = result.Outcome switch
            {
                Outcome.Converged => "converged",
                Outcome.Stalled => "stalled (the seed's halting test fired away from the optimum)",
                _ => "not accepted",
            };
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{0} at step {1}: loss {2:R}, {3} above the optimum; θ = ({4:G6}, {5:G6})",
                what, result.Steps, result.Loss, result.Gap.ToString("0.00e+00", CultureInfo.InvariantCulture), result.Theta[0], result.Theta[1]));
            return result;
        }
    }
}
