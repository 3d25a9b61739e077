using System;

namespace AE.Experiments.Swarm
{
    /// <summary>How the K members of a population share the compute between rounds.</summary>
    public enum SwarmMethod
    {
        /// <summary>AE-Swarm: soft selection of the budgets, coefficient consensus, optional dither of the worst member.</summary>
        Swarm,

        /// <summary>K independent runs with equal budgets (judged as the best of K).</summary>
        Independent,

        /// <summary>Population-based training's exploit and explore: the bottom quantile copies the top and perturbs its coefficients.</summary>
        Pbt,
    }

    /// <summary>
    /// The settings of a population run. The compute is <see cref="Members"/> × <see cref="StepsPerMember"/> law
    /// steps (rounded down to whole rounds: each round shares K × ⌊S / R⌋ steps), whichever the method.
    /// </summary>
    /// <param name="Members">K, the controllers stepped together (at least 2)</param>
    /// <param name="Rounds">R, the rounds (at least 1)</param>
    /// <param name="StepsPerMember">S, the average law steps per member over the whole run</param>
    /// <param name="Temperature">T of the soft selection, w ∝ exp(−score / T) (0: all to the best; +∞: uniform)</param>
    /// <param name="Kappa">κ of the consensus nudge, in [0, 1]</param>
    /// <param name="MinSteps">the least steps a live member gets in a round (null: a quarter of the equal share)</param>
    /// <param name="Dither">σ of the rejuvenation dither: the worst live member's θ += σ · α · N(0, 1) after each round (0: off)</param>
    /// <param name="PbtQuantile">the fraction of members PBT replaces (and copies from) each round</param>
    /// <param name="PbtFactor">PBT's explore: each coefficient multiplied by this or its inverse, by a fair coin</param>
    public sealed record SwarmSettings(int Members, int Rounds, long StepsPerMember, double Temperature = 1.0, double Kappa = 0.05,
        long? MinSteps = null, double Dither = 0.0, double PbtQuantile = 0.25, double PbtFactor = 1.25)
    {
        /// <summary>The steps each member gets in a round of equal shares: ⌊S / R⌋.</summary>
        public long EqualShare => StepsPerMember / Rounds;

        /// <summary>The steps shared among the members in each round: K × ⌊S / R⌋.</summary>
        public long RoundTotal => Members * EqualShare;

        /// <summary>The least steps a live member gets in a round of AE-Swarm.</summary>
        public long RoundMinimum => MinSteps ?? EqualShare / 4;

        /// <summary>Why these settings cannot run (one line), or null.</summary>
        public string? Problem()
        {
            if (Members < 2) return "a swarm needs at least 2 members (K = " + Members + ")";
            if (Rounds < 1) return "at least one round is needed (R = " + Rounds + ")";
            if (StepsPerMember < Rounds) return "the steps per member (" + StepsPerMember + ") must be at least the rounds (" + Rounds + ")";
            if (!(Temperature >= 0)) return "the temperature must be >= 0 (" + Temperature + ")";
            if (!(Kappa >= 0 && Kappa <= 1)) return "kappa must be in [0, 1] (" + Kappa + ")";
            if (MinSteps is long m && (m < 0 || m * Members > RoundTotal))
                return "the minimum of " + m + " steps per member and round does not fit the round's " + RoundTotal + " steps for " + Members + " members";
            if (!(Dither >= 0) || double.IsPositiveInfinity(Dither)) return "the dither must be finite and >= 0 (" + Dither + ")";
            if (!(PbtQuantile > 0 && PbtQuantile <= 0.5)) return "the PBT quantile must be in (0, 0.5] (" + PbtQuantile + ")";
            if (!(PbtFactor >= 1) || double.IsPositiveInfinity(PbtFactor)) return "the PBT factor must be finite and >= 1 (" + PbtFactor + ")";
            return null;
        }
    }
}
