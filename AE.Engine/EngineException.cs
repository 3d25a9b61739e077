using System;

namespace AE.Engine
{
    /// <summary>
    /// A problem with the input of a run (a law's settings, a task, the database), as one line; the command
    /// line reports it as it reports its own usage errors (<c>ae: error: message</c>).
    /// </summary>
    public sealed class EngineException : Exception
    {
        public EngineException() { }

        public EngineException(string message) : base(message) { }

        public EngineException(string message, Exception innerException) : base(message, innerException) { }
    }
}
