using System;

namespace AE.Tests.Shared
{
    /// <summary>Allocation measurements of a loop of steps (compiled into each test project that uses them).</summary>
    internal static class Allocated
    {
        /// <summary>
        /// The least of three measurements of <paramref name="bytes"/>. The runtime may allocate on a thread now and then
        /// (tiered compilation, under load); an allocation of the code under test shows in every run.
        /// </summary>
        public static long LeastOfThree(Func<long> bytes) => Math.Min(bytes(), Math.Min(bytes(), bytes()));
    }
}
