using System;

namespace AE.Dsl.Emit
{
    /// <summary>A construct a backend cannot emit yet; the generator turns it into a diagnostic.</summary>
    public sealed class EmitNotSupportedException : Exception
    {
        public EmitNotSupportedException(string message) : base(message) { }

        /// <param name="at">the construct the backend stops at, where it is known: AE0080 then points at it, not at the unit's name</param>
        public EmitNotSupportedException(string message, AE.Dsl.IR.IrOrigin? at) : base(message) { At = at; }

        public AE.Dsl.IR.IrOrigin? At { get; }
    }
}
