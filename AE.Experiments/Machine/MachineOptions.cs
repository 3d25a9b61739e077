using System;
using System.Collections.Generic;

namespace AE.Experiments.Machine
{
    /// <summary>The seed's second accept predicate: the effective step and the loss variance have both settled.</summary>
    /// <param name="GammaMin">accept when the law's <c>gamma</c> signal is ≤ this...</param>
    /// <param name="VBound">...and its <c>V</c> signal is ≤ this...</param>
    /// <param name="MinSteps">...after at least this many law steps (early on both are trivially small).</param>
    public sealed record GammaVPredicate(double GammaMin, double VBound, long MinSteps = 100);

    /// <summary>How <see cref="AeMachine"/> runs a law on a task. Every property has a documented default.</summary>
    public sealed class MachineOptions
    {
        /// <summary>The step budget; null: the task's <c>DefaultSteps</c>.</summary>
        public long? MaxSteps { get; set; }

        /// <summary>Whether reaching the target loss accepts the run (default true).</summary>
        public bool AcceptOnTarget { get; set; } = true;

        /// <summary>
        /// An absolute target loss replacing the task's. Null (default): the task's <c>TargetLoss</c>,
        /// which is relative to its optimum when the optimum is known.
        /// </summary>
        public double? TargetLoss { get; set; }

        /// <summary>
        /// A target as a gap above the task's known optimum (loss − optimum ≤ gap); for a task without
        /// a known optimum, the gap above 0. Ignored when <see cref="TargetLoss"/> is set.
        /// </summary>
        public double? TargetGap { get; set; }

        /// <summary>The gamma/V predicate; null (default): off.</summary>
        public GammaVPredicate? GammaV { get; set; }

        /// <summary>The signal the gamma/V predicate reads as gamma (default <c>gamma</c>).</summary>
        public string GammaSignal { get; set; } = "gamma";

        /// <summary>The signal the gamma/V predicate reads as V (default <c>V</c>).</summary>
        public string VSignal { get; set; } = "V";

        /// <summary>
        /// Divergence: the loss's gap above the optimum (above 0 when unknown) exceeds this multiple
        /// of the initial gap (default 1e4).
        /// </summary>
        public double DivergenceFactor { get; set; } = 1e4;

        /// <summary>Whether a divergence stops the run (default true); if not, it is counted once per excursion.</summary>
        public bool StopOnDivergence { get; set; } = true;

        /// <summary>
        /// The AE-10 Lyapunov energy: the first of these names that the law has as a signal is
        /// monitored (default <c>lyapunov</c>, the name the shipped laws use, then <c>V_lyap</c>);
        /// empty: not monitored.
        /// </summary>
        public IReadOnlyList<string> LyapunovSignals { get; set; } = new[] { "lyapunov", "V_lyap" };

        /// <summary>The window W of the AE-10 check: a rise of the energy over W steps is an incident (default 50).</summary>
        public int LyapunovWindow { get; set; } = 50;

        /// <summary>A rise must exceed this fraction of the earlier value (default 1e-6)...</summary>
        public double LyapunovRelativeTolerance { get; set; } = 1e-6;

        /// <summary>...plus this absolute amount (default 1e-12).</summary>
        public double LyapunovAbsoluteTolerance { get; set; } = 1e-12;

        /// <summary>For tasks whose loss is a minibatch estimate: check the exact loss against the target every this many steps (default 25).</summary>
        public int ExactCheckInterval { get; set; } = 25;

        /// <summary>ε in the AUC of log(loss − optimum + ε) (default 1e-12).</summary>
        public double AucEpsilon { get; set; } = 1e-12;

        /// <summary>Whether every step's signals are recorded (default true; the loss always is).</summary>
        public bool RecordSignals { get; set; } = true;

        /// <summary>Called every <see cref="ProgressInterval"/> steps and at the end (default none).</summary>
        public Action<MachineProgress>? Progress { get; set; }

        /// <summary>Steps between <see cref="Progress"/> calls (default 100).</summary>
        public long ProgressInterval { get; set; } = 100;

        /// <summary>
        /// Called with the run's whole state (<see cref="MachineState"/>) at the top of every step k that is a multiple of
        /// <see cref="CheckpointInterval"/> (not the first step of a run or a resumed one, nor the last), and at the step
        /// where a cancelled run stops; the state refers to the run's live arrays, so save it before returning. Default none.
        /// </summary>
        public Action<MachineState>? Checkpoint { get; set; }

        /// <summary>Steps between <see cref="Checkpoint"/> calls; 0 (the default): only when cancelled.</summary>
        public long CheckpointInterval { get; set; }

        internal void Validate()
        {
            if (MaxSteps is long m && m < 0) throw new ArgumentOutOfRangeException(nameof(MaxSteps), m, "MaxSteps must be >= 0");
            if (TargetLoss is double t && double.IsNaN(t)) throw new ArgumentOutOfRangeException(nameof(TargetLoss), t, "TargetLoss must not be NaN");
            if (TargetGap is double g && !(g >= 0)) throw new ArgumentOutOfRangeException(nameof(TargetGap), g, "TargetGap must be >= 0");
            if (GammaV is { } p)
            {
                if (double.IsNaN(p.GammaMin)) throw new ArgumentOutOfRangeException(nameof(GammaV), p.GammaMin, "GammaMin must not be NaN");
                if (double.IsNaN(p.VBound)) throw new ArgumentOutOfRangeException(nameof(GammaV), p.VBound, "VBound must not be NaN");
                if (p.MinSteps < 0) throw new ArgumentOutOfRangeException(nameof(GammaV), p.MinSteps, "MinSteps must be >= 0");
            }
            if (!(DivergenceFactor > 0)) throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), DivergenceFactor, "DivergenceFactor must be > 0");
            if (LyapunovWindow < 1) throw new ArgumentOutOfRangeException(nameof(LyapunovWindow), LyapunovWindow, "LyapunovWindow must be >= 1");
            if (!(LyapunovRelativeTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(LyapunovRelativeTolerance), LyapunovRelativeTolerance, "must be >= 0");
            if (!(LyapunovAbsoluteTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(LyapunovAbsoluteTolerance), LyapunovAbsoluteTolerance, "must be >= 0");
            if (ExactCheckInterval < 1) throw new ArgumentOutOfRangeException(nameof(ExactCheckInterval), ExactCheckInterval, "ExactCheckInterval must be >= 1");
            if (!(AucEpsilon > 0)) throw new ArgumentOutOfRangeException(nameof(AucEpsilon), AucEpsilon, "AucEpsilon must be > 0");
            if (CheckpointInterval < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), CheckpointInterval, "CheckpointInterval must be >= 0");
            if (ProgressInterval < 1) throw new ArgumentOutOfRangeException(nameof(ProgressInterval), ProgressInterval, "ProgressInterval must be >= 1");
        }
    }

    /// <summary>Where a run is: the steps taken, the budget, the last loss.</summary>
    public readonly record struct MachineProgress(long Step, long MaxSteps, double Loss);
}
