using System.Globalization;

namespace AE.Experiments.Training
{
    /// <summary>What stopped a training run: a value that is not finite, met where the trainer checks for it.</summary>
    public enum TrainingStopKind
    {
        /// <summary>The loss of an epoch's forward pass, before its step.</summary>
        Loss,

        /// <summary>A component of the gradient, before the step (which would have carried it into the parameters).</summary>
        Gradient,

        /// <summary>A parameter the optimizer's step wrote (the step is undone).</summary>
        Step,

        /// <summary>The loss of the final forward pass, after the last epoch's step.</summary>
        FinalLoss,
    }

    /// <summary>Why and where a training run stopped early, and which parameters it kept.</summary>
    /// <param name="Epoch">the epoch (from 1) at which it stopped; for <see cref="TrainingStopKind.FinalLoss"/>, the epoch whose step came before</param>
    /// <param name="Value">the value that is not finite</param>
    /// <param name="Parameter">the parameter the gradient's or the step's value belongs to (PyTorch's name for a net's); null for a loss</param>
    /// <param name="Index">the value's index within <paramref name="Parameter"/>; null for a scalar or a loss</param>
    /// <param name="KeptBefore">
    /// the epoch whose step the kept parameters come before (its loss was measured at them, and was finite), or null when
    /// the run took no step and keeps the parameters it started from
    /// </param>
    public sealed record TrainingStop(int Epoch, TrainingStopKind Kind, double Value, string? Parameter, int? Index, int? KeptBefore)
    {
        /// <summary>What happened, as a clause: "the gradient of 'k' is not finite (inf)".</summary>
        public string Text
        {
            get
            {
                string value = AE.Runtime.NumberText.Of(Value);
                string at = Index is int i ? " at index " + i.ToString(CultureInfo.InvariantCulture) : "";
                return Kind switch
                {
                    TrainingStopKind.Loss => "the loss is " + value,
                    TrainingStopKind.Gradient => "the gradient of '" + Parameter + "' is not finite (" + value + at + ")",
                    TrainingStopKind.Step => "the step wrote " + value + " into '" + Parameter + "'" + at,
                    _ => "the loss after the step of epoch " + Epoch.ToString(CultureInfo.InvariantCulture) + " is " + value,
                };
            }
        }
    }
}
