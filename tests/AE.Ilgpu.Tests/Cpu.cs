using ILGPU.Runtime;

namespace AE.Ilgpu.Tests
{
    /// <summary>ILGPU's CPU accelerator (a simulator of groups and shared memory), one for the test run.</summary>
    internal static class Cpu
    {
        private static readonly System.Lazy<Accelerator> Instance = new(() => IlgpuDevices.Create("cpu"));

        public static Accelerator Accelerator => Instance.Value;
    }
}
