using System;
using System.Collections.Generic;
using AE.Dsl.Diagnostics;

namespace AE.Experiments.Compilation
{
    /// <summary>
    /// A problem with the .ae files or the law asked for: a missing or unreadable file, a glob that
    /// matches nothing, an unknown name, a law that cannot be emitted. The message is one line that
    /// says what is wrong with which file or name (the <c>ae</c> command prints it as it is).
    /// </summary>
    public class LawInputException : Exception
    {
        public LawInputException() { }

        public LawInputException(string message) : base(message) { }

        public LawInputException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary>The files have errors, so no law of them can be used; <see cref="Errors"/> holds them.</summary>
    public sealed class LawCheckException : LawInputException
    {
        public LawCheckException(string message, IReadOnlyList<Diagnostic> errors) : base(message)
        {
            Errors = errors;
        }

        /// <summary>The error diagnostics of the files, in the checker's order.</summary>
        public IReadOnlyList<Diagnostic> Errors { get; }
    }
}
