using System;

namespace AE.Experiments.Training
{
    /// <summary>Bad input to training: a cell that does not fit the task, a checkpoint that is not this run's or is damaged. The message is one line.</summary>
    public sealed class TrainingException : Exception
    {
        public TrainingException() { }

        public TrainingException(string message) : base(message) { }

        public TrainingException(string message, Exception inner) : base(message, inner) { }
    }
}
