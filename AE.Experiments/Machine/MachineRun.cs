using System;
using System.Collections.Generic;

namespace AE.Experiments.Machine
{
    /// <summary>
    /// The numbers a run is judged by (value-equatable: two runs with the same seed compare equal).
    /// </summary>
    /// <param name="StepsToTarget">law steps taken when the target loss first held; null if it never did</param>
    /// <param name="FinalLoss">the exact loss at the last finite theta (NaN if there was none)</param>
    /// <param name="Auc">Σ over the step budget of log(max(loss − optimum, 0) + ε), see <see cref="AeMachine"/></param>
    /// <param name="IncidentCount">NaN/Inf, divergence and AE-10 incidents</param>
    /// <param name="StepsTaken">law steps taken</param>
    /// <param name="Stop">why the run ended</param>
    /// <param name="Accept">which predicate accepted it, if any</param>
    public sealed record RunMetrics(long? StepsToTarget, double FinalLoss, double Auc, int IncidentCount, long StepsTaken, StopReason Stop, AcceptReason Accept)
    {
        public bool Accepted => Accept != AcceptReason.None;

        /// <summary>
        /// Σ_k log(max(L_k − optimum, 0) + ε) over the given losses: the area under the log-gap curve
        /// with unit step width (a left Riemann sum, one term per step).
        /// </summary>
        public static double LogGapArea(ReadOnlySpan<double> losses, double optimum, double epsilon)
        {
            double sum = 0;
            foreach (double loss in losses) sum += Math.Log(Math.Max(loss - optimum, 0) + epsilon);
            return sum;
        }
    }

    /// <summary>Everything a run of <see cref="AeMachine"/> produced.</summary>
    public sealed class MachineRun
    {
        internal MachineRun(string lawName, string taskName, ulong seed, long maxSteps, double targetLoss, double? optimumLoss, double initialLoss,
            RunMetrics metrics, IReadOnlyList<Incident> incidents, RunLog log, double[] finalTheta, string? lyapunovSignal)
        {
            LawName = lawName;
            TaskName = taskName;
            Seed = seed;
            MaxSteps = maxSteps;
            TargetLoss = targetLoss;
            OptimumLoss = optimumLoss;
            InitialLoss = initialLoss;
            Metrics = metrics;
            Incidents = incidents;
            Log = log;
            FinalTheta = finalTheta;
            LyapunovSignal = lyapunovSignal;
        }

        public string LawName { get; }

        public string TaskName { get; }

        public ulong Seed { get; }

        /// <summary>The step budget the run had.</summary>
        public long MaxSteps { get; }

        /// <summary>The target the run was judged against (absolute).</summary>
        public double TargetLoss { get; }

        public double? OptimumLoss { get; }

        /// <summary>The loss at the start point (as the law saw it).</summary>
        public double InitialLoss { get; }

        public RunMetrics Metrics { get; }

        public IReadOnlyList<Incident> Incidents { get; }

        /// <summary>Per step: the loss and the law's signals.</summary>
        public RunLog Log { get; }

        /// <summary>Theta at the end, or at the last step where it was finite.</summary>
        public ReadOnlyMemory<double> FinalTheta { get; }

        /// <summary>The signal monitored for AE-10 rises, or null when the law has none.</summary>
        public string? LyapunovSignal { get; }

        public long? StepsToTarget => Metrics.StepsToTarget;

        public double FinalLoss => Metrics.FinalLoss;

        public double Auc => Metrics.Auc;

        public int IncidentCount => Metrics.IncidentCount;

        public long StepsTaken => Metrics.StepsTaken;

        public StopReason Stop => Metrics.Stop;

        public AcceptReason Accept => Metrics.Accept;

        public bool Accepted => Metrics.Accepted;

        public override string ToString() =>
            LawName + " on " + TaskName + " (seed " + Seed + "): " + Stop + " after " + StepsTaken + " steps, final loss "
            + AE.Runtime.NumberText.Of(FinalLoss, "G6") + ", " + IncidentCount + " incident(s)";
    }
}
