using System;

namespace AE.Runtime
{
    /// <summary>
    /// A generated law's dimension that is below 1 (or beyond an int) for the run-time dims it was given: a run-time dim
    /// itself, or one derived from them (<c>dim w = n - 3</c> at n = 2). The message names the dim, its value and the
    /// run-time dims.
    /// </summary>
    public sealed class DimOutOfRangeException : ArgumentOutOfRangeException
    {
        /// <param name="dim">the dim's name in the .ae file</param>
        /// <param name="value">its value</param>
        /// <param name="message">one line saying what must hold</param>
        public DimOutOfRangeException(string dim, long value, string message) : base(dim, value, message)
        {
            Dim = dim;
            Value = value;
        }

        public DimOutOfRangeException() : this("", 0, "a dimension is out of range") { }

        public DimOutOfRangeException(string message) : this("", 0, message) { }

        public DimOutOfRangeException(string message, Exception innerException) : base(message, innerException) => Dim = "";

        /// <summary>The dim's name in the .ae file.</summary>
        public string Dim { get; }

        /// <summary>The value it would have.</summary>
        public long Value { get; }
    }
}
