using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Experiments.Menu
{
    /// <summary>Whether an item of the menu can be run with what this repository has, on a CPU.</summary>
    public enum MenuStatus
    {
        /// <summary>Its question can be asked with the commands and tasks here.</summary>
        Runs,

        /// <summary>Part of it runs here (a smaller setup, or some of its arms).</summary>
        Partly,

        /// <summary>It needs what is not here (a model family, a data set, an accelerator).</summary>
        No,
    }

    /// <summary>One section of seed 001's experiment menu.</summary>
    /// <param name="Id">the section's letter, A to L</param>
    /// <param name="Title">the section's title as the seed writes it</param>
    /// <param name="Question">the question the section asks, in one line</param>
    /// <param name="Here">how it is asked here (the command and tasks), or what it lacks</param>
    public sealed record MenuItem(string Id, string Title, string Question, MenuStatus Status, string Here);

    /// <summary>Seed 001's menu of experiments (sections A–L: goal, setup, metrics and what AE should show), and where each stands here.</summary>
    public static class ExperimentMenu
    {
        private static readonly MenuItem[] All =
        {
            new("A", "Core sanity & speedups",
                "Does the closed loop reach the target sooner than the fixed-rate optimizer, without instability?",
                MenuStatus.Partly, "ae ablate / ae sweep on quadratic, linreg, rosenbrock against Adam and SGDm; the seed's MLP, ResNet-18 and WikiText setups are not here"),
            new("B", "Non-stationary & drift (where AE should shine)",
                "Under drift, does the closed loop recover faster than a fixed schedule?",
                MenuStatus.Partly, "moving-optimum (drifting optimum) and scale-change (loss x10 at step 200); rotating corruptions, class shift and RL reward scaling are not here"),
            new("C", "Resonance / phase behavior",
                "Does phase control (AE-5) shrink the rate when the gradient alignment rises, preventing runaway oscillation?",
                MenuStatus.Runs, "ae ablate --task delayed (gradients 4 steps stale) and --task rosenbrock, with and without AE5"),
            new("D", "Gauge invariance (scale robustness)",
                "With AE-8, are the dynamics nearly invariant across batch sizes and gradient scales?",
                MenuStatus.Partly, "ae experiment run D: quadratic with the loss x 0.1, 1, 10 and noisy-quadratic at the gradient noise of batch 64, 256, 1024 (no task has a real batch but logreg-fashion); scale-change (loss x10 from step 200)"),
            new("E", "Exploration noise law",
                "Does sigma rise on a stall and fall on instability, so a plateau is left sooner without blow-ups?",
                MenuStatus.Runs, "ae ablate --task plateau (clipped-sigmoid regression started on its flat region), with and without AE4"),
            new("F", "Coupling law (α ↔ β)",
                "Do the best regions show a negative correlation between log alpha and log 1/(1 - beta)?",
                MenuStatus.Partly, "ae experiment run F: a grid over init_alpha and init_mu on quadratic (the initial coefficients, not their trajectories); ResNet-18 is not here"),
            new("G", "Budget/continuity & safety",
                "From an absurd initial rate, does the budget law cap the changes and stabilise without restarts?",
                MenuStatus.Runs, "ae sweep up to init_alpha = 1 (diverged cells counted) and ae ablate without AE6"),
            new("H", "Architecture/genotype adaptation (AEONet)",
                "Does the capacity grow with progress and shrink on variance spikes, for a better validation AUC?",
                MenuStatus.No, "no AEONet with gated blocks is here"),
            new("I", "Equations / symbolic regression (AEO-Eq)",
                "Does lambda rise as training settles, leaving the right bases active and a compact expression?",
                MenuStatus.No, "no AEOBasisEquation is here"),
            new("J", "Optimizer family coverage",
                "Does AE help SGDm, Adam, AdamW and Adafactor alike, with no extra memory?",
                MenuStatus.Partly, "ae experiment run J: laws/ae_sgdm.ae and laws/ae_adam.ae (AdamW) against the sgdm and adam baselines; no Adafactor"),
            new("K", "VRAM neutrality & performance overhead",
                "Does the controller add no memory and only a small time overhead?",
                MenuStatus.Partly, "ae bench: time per step and bytes allocated (0) on the CPU; device memory needs a GPU (the OpenCL and ILGPU backends)"),
            new("L", "Ablations (prove each law matters)",
                "Does removing each law (noise, resonance, budget, gauge, coupling) degrade at least one metric?",
                MenuStatus.Runs, "ae ablate <law.ae> --task T --seeds 5 on every task"),
        };

        /// <summary>Every section, A to L.</summary>
        public static IReadOnlyList<MenuItem> Items => All;

        /// <summary>The section with letter <paramref name="id"/> (case-insensitive), or null.</summary>
        public static MenuItem? Find(string id) => All.FirstOrDefault(i => string.Equals(i.Id, id, StringComparison.OrdinalIgnoreCase));

        /// <summary>How a status is printed: yes, partly, no.</summary>
        public static string Word(MenuStatus status) => status switch
        {
            MenuStatus.Runs => "yes",
            MenuStatus.Partly => "partly",
            _ => "no",
        };
    }
}
