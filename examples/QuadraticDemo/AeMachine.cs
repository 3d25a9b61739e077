using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using AE.Runtime;

namespace QuadraticDemo
{
    /// <summary>The halting thresholds of the seed's AE Machine, with a correct accept predicate.</summary>
    public sealed record AcceptSettings
    {
        /// <summary>Converged when the loss is within this of the optimal loss (the seed: loss ≤ eps_loss, which holds at θ = 0).</summary>
        public double EpsLoss { get; init; } = 1e-6;

        /// <summary>The seed's stall test: γ = α‖g‖ at most this ...</summary>
        public double GammaMin { get; init; } = 1e-5;

        /// <summary>... with the loss variance V at most this ...</summary>
        public double VMaxAccept { get; init; } = 1e-3;

        /// <summary>... and only after this many steps (the first steps have small γ and V by construction).</summary>
        public int MinSteps { get; init; } = 50;

        public int MaxSteps { get; init; } = 300;

        /// <summary>Print a row every this many steps (and at the first and last), as the seed; 0 prints none.</summary>
        public int PrintEvery { get; init; } = 25;
    }

    public enum Outcome
    {
        /// <summary>The loss reached the optimal loss within <see cref="AcceptSettings.EpsLoss"/>.</summary>
        Converged,

        /// <summary>The seed's stall test fired (γ ≤ γ_min, V ≤ v_max) away from the optimum.</summary>
        Stalled,

        /// <summary>Neither, within the step budget.</summary>
        MaxSteps,
    }

    /// <summary>How a run ended: the step, the loss and its distance to the optimal loss.</summary>
    public sealed record RunResult(string Law, Outcome Outcome, int Steps, double Loss, double OptimalLoss, double[] Theta)
    {
        public double Gap => Loss - OptimalLoss;
    }

    /// <summary>
    /// The seed's AE Machine loop (AE_Machine.py: <c>AEMachine.run</c>) around a generated law: step,
    /// print every few steps, stop when accepted. The seed accepts when <c>loss ≤ eps_loss</c>, which
    /// on its own demo holds at step 1 (the loss at θ = 0 is 0, the optimum is −13/6). Here a run is
    /// accepted when the loss is within eps of the optimum's loss, computed exactly; or, after
    /// MinSteps, by the seed's stall test (γ ≤ γ_min and V ≤ v_max), which is reported as a stall
    /// unless the loss is also at the optimum. It reads the AE-SGDm signals the seed prints (<see cref="Needed"/>),
    /// so it takes laws that expose them (AeSgdm, AeSgdmPhase, AeAdam, ...); another law runs in a plain step loop.
    /// </summary>
    public static class AeMachine
    {
        /// <summary>The signals (or coefficients) the loop reads and prints.</summary>
        public static readonly string[] Needed = { "L", "T", "V", "rho", "alpha", "mu", "gamma", "gnorm" };

        public const string Header = " step |         L |          T |         V |    rho |      alpha |    mu |     gamma |     gnorm";

        public static RunResult Run(IOptimizerLaw law, Quadratic plant, double[] theta0, AcceptSettings settings, TextWriter? log = null)
        {
            var missing = Array.FindAll(Needed, name => !law.SignalNames.Contains(name));
            if (missing.Length > 0)
                throw new ArgumentException($"AeMachine.Run reads the AE-SGDm signals {string.Join(", ", Needed)}; law {law.LawName} has no {string.Join(", ", missing)} (step it in a plain loop instead)", nameof(law));
            var signals = new SignalReader(law);
            var theta = (double[])theta0.Clone();
            var grad = new double[plant.Dimension];
            double loss = double.NaN;
            for (int t = 1; t <= settings.MaxSteps; t++)
            {
                loss = plant.Loss(theta);
                plant.Gradient(theta, grad);
                law.Step(loss, grad, theta);

                // The law's L is the loss it was given at this step (clamped for its statistics).
                double lawLoss = signals["L"];
                double gap = Math.Abs(lawLoss - plant.OptimalLoss);
                bool converged = gap <= settings.EpsLoss;
                bool stalled = t >= settings.MinSteps && signals["gamma"] <= settings.GammaMin && signals["V"] <= settings.VMaxAccept;
                bool last = converged || stalled || t == settings.MaxSteps;

                if (log is not null && settings.PrintEvery > 0 && (t % settings.PrintEvery == 0 || t == 1 || last))
                    log.WriteLine(Row(t, signals));
                if (converged) return new RunResult(law.LawName, Outcome.Converged, t, lawLoss, plant.OptimalLoss, theta);
                if (stalled) return new RunResult(law.LawName, Outcome.Stalled, t, lawLoss, plant.OptimalLoss, theta);
            }
            return new RunResult(law.LawName, Outcome.MaxSteps, settings.MaxSteps, loss, plant.OptimalLoss, theta);
        }

        private static string Row(int t, SignalReader s) => string.Format(CultureInfo.InvariantCulture,
            "{0,5:D4} | {1,9:F6} | {2,10} | {3,9} | {4,6:F3} | {5,10} | {6,5:F3} | {7,9} | {8,9}",
            t, s["L"], E(s["T"], 3), E(s["V"], 3), s["rho"], E(s["alpha"], 4), s["mu"], E(s["gamma"], 3), E(s["gnorm"], 3));

        /// <summary>Python's <c>{x:.Ne}</c>: 1.234e-05.</summary>
        private static string E(double x, int digits) => x.ToString("0." + new string('0', digits) + "e+00", CultureInfo.InvariantCulture);

        /// <summary>Reads a law's signals by name (generated laws expose them by index).</summary>
        private sealed class SignalReader
        {
            private readonly IOptimizerLaw _law;
            private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

            public SignalReader(IOptimizerLaw law)
            {
                _law = law;
                for (int i = 0; i < law.SignalNames.Count; i++) _index[law.SignalNames[i]] = i;
            }

            public double this[string name] => _index.TryGetValue(name, out var i)
                ? _law.ReadSignal(i)
                : throw new KeyNotFoundException($"law {_law.LawName} has no signal '{name}'");
        }
    }
}
