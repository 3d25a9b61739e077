namespace AE.Experiments.Machine
{
    /// <summary>What went wrong during a run.</summary>
    public enum IncidentKind
    {
        /// <summary>The task returned a NaN or infinite loss (the run stops).</summary>
        NonFiniteLoss,

        /// <summary>The task returned a gradient with a NaN or infinite value (the run stops).</summary>
        NonFiniteGradient,

        /// <summary>The law wrote a NaN or infinite value into theta (the run stops).</summary>
        NonFiniteTheta,

        /// <summary>The loss gap exceeded <see cref="MachineOptions.DivergenceFactor"/> times the initial gap.</summary>
        Divergence,

        /// <summary>AE-10: the law's Lyapunov energy rose over a window of <see cref="MachineOptions.LyapunovWindow"/> steps.</summary>
        LyapunovRise,
    }

    /// <summary>One incident: the law steps taken when it was seen, its kind, the offending value and a one-line message.</summary>
    public sealed record Incident(long Step, IncidentKind Kind, double Value, string Message);

    /// <summary>Why a run ended.</summary>
    public enum StopReason
    {
        /// <summary>An accept predicate held.</summary>
        Accepted,

        /// <summary>The step budget ran out.</summary>
        BudgetExhausted,

        /// <summary>A NaN or infinite loss, gradient or theta.</summary>
        NonFinite,

        /// <summary>Divergence, with <see cref="MachineOptions.StopOnDivergence"/>.</summary>
        Diverged,

        /// <summary>The caller's cancellation token.</summary>
        Cancelled,
    }

    /// <summary>Which predicate accepted a run.</summary>
    public enum AcceptReason
    {
        /// <summary>The run was not accepted.</summary>
        None,

        /// <summary>The (exact) loss reached the target.</summary>
        Target,

        /// <summary>gamma ≤ gamma_min and V ≤ its bound, after the minimum number of steps.</summary>
        GammaV,
    }
}
