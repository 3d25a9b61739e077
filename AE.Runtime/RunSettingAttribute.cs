using System;

namespace AE.Runtime
{
    /// <summary>
    /// Marks a field that says how an instance runs, not what it has run (a generated law's <c>Kernel</c> and
    /// <c>MaxThreads</c>): <see cref="LawState"/> leaves it out of the state, so an instance keeps its own setting through a load.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    public sealed class RunSettingAttribute : Attribute
    {
    }
}
