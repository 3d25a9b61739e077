using System;
using System.Linq;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace AE.Ilgpu
{
    /// <summary>No ILGPU device of the kind asked for; the message is one line naming what there is.</summary>
    public sealed class IlgpuUnavailableException : Exception
    {
        public IlgpuUnavailableException(string message) : base(message) { }
    }

    /// <summary>
    /// The accelerators ILGPU finds: one context for the process (CUDA, OpenCL and the CPU simulator enabled,
    /// math in ILGPU's default mode: full-precision float and double operations, no fast approximations;
    /// ILGPU.Algorithms' XMath for the math functions CUDA has no instruction for), and the choice of a device by kind.
    /// </summary>
    public static class IlgpuDevices
    {
        private static readonly Lazy<Context> SharedContext = new(() => Context.Create(b => b.Default().Math(MathMode.Default).EnableAlgorithms()));
        private static readonly object Gate = new();
        private static Accelerator? _default;

        /// <summary>The context every law of this process compiles in.</summary>
        public static Context Context => SharedContext.Value;

        /// <summary>The kinds <see cref="Create"/> takes: cuda, opencl, cpu, and auto (a GPU if there is one, else the CPU simulator).</summary>
        public static readonly string[] Kinds = { "auto", "cuda", "opencl", "cpu" };

        /// <summary>
        /// The accelerator of <paramref name="kind"/> (null: <c>AE_ILGPU_DEVICE</c> if set, else auto): the first CUDA
        /// device, the first OpenCL device ILGPU accepts, or the CPU simulator.
        /// </summary>
        /// <exception cref="IlgpuUnavailableException">no device of that kind, or an unknown kind</exception>
        public static Accelerator Create(string? kind = null)
        {
            kind ??= Environment.GetEnvironmentVariable("AE_ILGPU_DEVICE") is { Length: > 0 } env ? env : "auto";
            var devices = Context.Devices;
            Device? device = kind.ToLowerInvariant() switch
            {
                "cuda" => devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda),
                "opencl" => devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.OpenCL),
                "cpu" => devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.CPU),
                "auto" => devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda)
                    ?? devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.OpenCL)
                    ?? devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.CPU),
                _ => throw new IlgpuUnavailableException($"unknown ILGPU device kind '{kind}'; use one of {string.Join(", ", Kinds)}"),
            };
            if (device is null)
            {
                var found = devices.Length == 0 ? "none" : string.Join("; ", devices.Select(d => d.AcceleratorType + ": " + d.Name));
                throw new IlgpuUnavailableException($"no ILGPU {kind} device (ILGPU found: {found})");
            }
            return device.CreateAccelerator(Context);
        }

        /// <summary>One accelerator of <see cref="Create"/>'s default choice, shared by every law that names none.</summary>
        public static Accelerator Default
        {
            get
            {
                lock (Gate) return _default ??= Create();
            }
        }

        /// <summary>Whether <paramref name="accelerator"/> is ILGPU's CPU simulator (tests, not speed).</summary>
        public static bool IsSimulator(Accelerator accelerator) => accelerator is CPUAccelerator;

        /// <summary>"CUDA NVIDIA H100", "OpenCL ...", "CPU simulator CPUAccelerator": the kind and the name.</summary>
        public static string Describe(Accelerator accelerator) => accelerator switch
        {
            CudaAccelerator => "CUDA " + accelerator.Name,
            CLAccelerator => "OpenCL " + accelerator.Name,
            _ => "CPU simulator " + accelerator.Name,
        };
    }
}
