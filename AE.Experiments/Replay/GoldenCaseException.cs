using System;

namespace AE.Experiments.Replay
{
    /// <summary>
    /// A golden case file that cannot be used: missing, unreadable or malformed. The message is one
    /// line naming the file and what is wrong, e.g. <c>linreg_10d.json: 'problem.X' is missing</c>.
    /// </summary>
    public sealed class GoldenCaseException : Exception
    {
        public GoldenCaseException() { }

        public GoldenCaseException(string message) : base(message) { }

        public GoldenCaseException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary>
    /// A recorded trajectory, a law or its settings that do not fit a golden case (a column the law
    /// does not produce, a setting that is not one of its params, a value out of its range). One line.
    /// </summary>
    public sealed class ReplayException : Exception
    {
        public ReplayException() { }

        public ReplayException(string message) : base(message) { }

        public ReplayException(string message, Exception innerException) : base(message, innerException) { }
    }
}
