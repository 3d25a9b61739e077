using System;

namespace AE.Dsl.Emit
{
    /// <summary>A construct a backend cannot emit yet; the generator turns it into a diagnostic.</summary>
    public sealed class EmitNotSupportedException : Exception
    {
        public EmitNotSupportedException(string message) : base(message) { }
    }
}
