using ILGPU.Runtime;

// One accelerator for the run, and ILGPU's CPU accelerator runs one launch at a time with its own threads:
// laws on it must not step from several test threads at once (as IlgpuLaw says).
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

namespace AE.Ilgpu.Tests
{
    /// <summary>ILGPU's CPU accelerator (a simulator of groups and shared memory), one for the test run.</summary>
    internal static class Cpu
    {
        private static readonly System.Lazy<Accelerator> Instance = new(() => IlgpuDevices.Create("cpu"));

        public static Accelerator Accelerator => Instance.Value;
    }
}
