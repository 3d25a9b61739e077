using System;

namespace AE.Cli
{
    /// <summary>
    /// A problem with the command line or the input files, reported as one line
    /// <c>ae: error: message</c> on stderr with exit code <see cref="ExitCodes.Usage"/>.
    /// </summary>
    public sealed class CliException : Exception
    {
        public CliException() { }

        public CliException(string message) : base(message) { }

        public CliException(string message, Exception innerException) : base(message, innerException) { }

        /// <summary>An invalid command line: the message ends with a pointer to the command's help.</summary>
        public static CliException BadUsage(string problem, string command)
            => new(problem + ". Run 'ae " + (command.Length == 0 ? "" : command + " ") + "--help'");
    }
}
