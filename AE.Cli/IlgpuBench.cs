using System;
using AE.Dsl.Schedule;
using System.Diagnostics;
using AE.Ilgpu;
using AE.Dsl.Emit.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae bench --backend ilgpu</c>: the ILGPU law (docs/ilgpu-backend.md) stepped on device memory: the
    /// gradient and theta are device buffers filled once, so a step moves nothing across the bus and the
    /// figure is the kernels'. The copy bandwidth is the same accelerator's: a copy kernel between two device
    /// buffers, timed in the same process.
    /// </summary>
    internal sealed class IlgpuBenchBackend : IBenchBackend
    {
        private readonly ExperimentLaw _law;
        private readonly Accelerator _accelerator;

        private IlgpuBenchBackend(ExperimentLaw law, Accelerator accelerator)
        {
            _law = law;
            _accelerator = accelerator;
        }

        public string Name => "ilgpu";

        public string LawName => _law.Name + " [ILGPU: " + IlgpuDevices.Describe(_accelerator) + "]";

        public string LawFile => _law.FilePath;

        public int Threads => 1;

        private VectorTraffic? _traffic;

        /// <summary>The law's traffic, from its step schedule, worked out once (every size's row reads it).</summary>
        public VectorTraffic Traffic => _traffic ??= _law.Compiled.Target.CSharpTraffic();

        public static IlgpuBenchBackend Create(BenchRequest request)
        {
            var law = ExperimentLaw.Load(request.LawPaths, request.LawName, request.Settings, Array.Empty<string>(), request.Context.CurrentDirectory, request.Context.Stderr, BenchCommand.Name, validationDimension: request.Smallest,
                beforeCompile: target => IlgpuReplay.Guard(target.Name, null, () => IlgpuEmitter.Emit(target.Unit, new IlgpuEmitOptions { Name = target.Name, Ablate = target.Ablate, Lagged = target.Lagged })));
            var accelerator = IlgpuReplay.Guard(law.Name, null, () => IlgpuDevices.Default);
            if (request.Threads != 1) request.Context.Stderr.WriteLine("ae: note: --threads does not apply to the ILGPU backend (the device runs the step)");
            if (IlgpuDevices.IsSimulator(accelerator)) request.Context.Stderr.WriteLine("ae: note: ILGPU runs on its CPU simulator here (no CUDA or OpenCL device it accepts): figures of the simulator, not of a GPU");
            return new IlgpuBenchBackend(law, accelerator);
        }

        public IBenchRun Prepare(int n, BenchDtype dtype)
        {
            var target = _law.Compiled.Target;
            IlgpuLaw law;
            try
            {
                law = IlgpuReplay.Guard(target.Name, null, () => new IlgpuLaw(target.Unit, n, new IlgpuLawOptions
                {
                    Float = dtype == BenchDtype.F32,
                    Params = _law.SettingValues(),
                    Ablate = target.Ablate,
                    Lagged = target.Lagged,
                    Name = target.Name,
                    Accelerator = _accelerator,
                }));
            }
            catch (OutOfMemoryException ex)
            {
                throw CpuBenchBackend.OutOfMemory(n, dtype, ex);
            }
            try
            {
                var losses = CpuBenchBackend.Losses();
                if (dtype == BenchDtype.F64)
                    return new Run<double>(law, CpuBenchBackend.Normals(n, 1), CpuBenchBackend.Normals(n, 2), (t, g, theta) => law.Step(losses[t], g, theta));
                var losses32 = Array.ConvertAll(losses, v => (float)v);
                return new Run<float>(law, Array.ConvertAll(CpuBenchBackend.Normals(n, 1), v => (float)v), Array.ConvertAll(CpuBenchBackend.Normals(n, 2), v => (float)v),
                    (t, g, theta) => law.Step(losses32[t], g, theta));
            }
            catch (OutOfMemoryException ex)
            {
                law.Dispose();
                throw CpuBenchBackend.OutOfMemory(n, dtype, ex);
            }
            catch (AcceleratorException ex)
            {
                law.Dispose();
                throw new CliException("not enough device memory for n = " + n + " (" + (dtype == BenchDtype.F32 ? "f32" : "f64") + "): " + MessageText.FirstLine(ex.Message) + "; give a smaller --n", ex);
            }
        }

        public double CopyBandwidth()
        {
            // 256 MiB each way on a GPU; 1 MiB on the simulator, which runs each element as a thread of its own on the CPU
            // (16 MiB took minutes: a figure of the simulator, not of a device, is not worth them).
            long count = IlgpuDevices.IsSimulator(_accelerator) ? 256L << 10 : 64L << 20;
            var copy = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(CopyKernel);
            using var a = _accelerator.Allocate1D<float>(count);
            using var b = _accelerator.Allocate1D<float>(count);
            double best = double.PositiveInfinity;
            for (int round = 0; round < 6; round++)
            {
                long start = Stopwatch.GetTimestamp();
                copy((int)count, a.View, b.View);
                _accelerator.Synchronize();
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (round > 0) best = Math.Min(best, seconds);
            }
            return 2.0 * count * sizeof(float) / best / 1e9;
        }

        private static void CopyKernel(Index1D i, ArrayView<float> a, ArrayView<float> b) => b[i] = a[i];

        /// <summary>The bench's gradient and start point (the CPU backend's), in device buffers; steps on their views.</summary>
        private sealed class Run<T> : IBenchRun where T : unmanaged
        {
            private readonly IlgpuLaw _law;
            private readonly MemoryBuffer1D<T, Stride1D.Dense> _grad, _theta;
            private readonly Action<int, ArrayView1D<T, Stride1D.Dense>, ArrayView1D<T, Stride1D.Dense>> _step;
            private int _t;

            /// <param name="step">one step with the loss of index t of <see cref="CpuBenchBackend.Losses"/></param>
            public Run(IlgpuLaw law, T[] grad, T[] theta, Action<int, ArrayView1D<T, Stride1D.Dense>, ArrayView1D<T, Stride1D.Dense>> step)
            {
                _law = law;
                _step = step;
                _grad = law.Accelerator.Allocate1D(grad);
                _theta = law.Accelerator.Allocate1D(theta);
            }

            public void Step(int count)
            {
                for (int i = 0; i < count; i++) _step(_t++ & (CpuBenchBackend.LossPeriod - 1), _grad.View, _theta.View);
                _law.Accelerator.Synchronize();
            }

            public void Dispose()
            {
                _theta.Dispose();
                _grad.Dispose();
                _law.Dispose();
            }
        }
    }
}
