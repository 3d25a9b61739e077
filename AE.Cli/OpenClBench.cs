using System;
using AE.Dsl.Schedule;
using System.Diagnostics;
using AE.Dsl.Emit;
using AE.Dsl.Emit.OpenCl;
using AE.Kernels;
using AE.Kernels.OpenCl;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae bench --backend opencl</c>: the law's OpenCL program on the default device (see
    /// docs/opencl-backend.md), stepped on device memory: the gradient and theta are buffers of the law's
    /// context filled once, so a step moves nothing across the bus and the figure is the kernels' (as
    /// <c>--backend ilgpu</c> times its law). The copy bandwidth is the device's own: a copy kernel between
    /// two device buffers, in the same process.
    /// </summary>
    internal sealed class OpenClBenchBackend : IBenchBackend
    {
        private readonly ExperimentLaw _law;

        private readonly string _device;

        private OpenClBenchBackend(ExperimentLaw law, string device)
        {
            _law = law;
            _device = device;
        }

        public string Name => "opencl";

        /// <summary>The law and the device it steps on, as replay names them (and the ILGPU bench its accelerator).</summary>
        public string LawName => _law.Name + " [OpenCL: " + _device + "]";

        public string LawFile => _law.FilePath;

        public int Threads => 1;

        private VectorTraffic? _traffic;

        /// <summary>The law's traffic, from its step schedule, worked out once (every size's row reads it).</summary>
        public VectorTraffic Traffic => _traffic ??= _law.Compiled.Target.CSharpTraffic();

        public static OpenClBenchBackend Create(BenchRequest request)
        {
            var law = ExperimentLaw.Load(request.LawPaths, request.LawName, request.Settings, Array.Empty<string>(), request.Context.CurrentDirectory, request.Context.Stderr, BenchCommand.Name, validationDimension: request.Smallest,
                beforeCompile: target =>
                {
                    try
                    {
                        OpenClEmitter.Emit(target.Unit, new OpenClEmitOptions { Name = target.Name, Ablate = target.Ablate, Lagged = target.Lagged });
                    }
                    catch (EmitNotSupportedException ex)
                    {
                        throw OpenClReplay.CannotEmit(target.Name, ex);
                    }
                });
            string device;
            try
            {
                device = OpenClPlatform.DefaultDevice().Name;
            }
            catch (OpenClUnavailableException ex)
            {
                throw new CliException(ex.Message, ex);
            }
            if (request.Threads != 1) request.Context.Stderr.WriteLine("ae: note: --threads does not apply to the OpenCL backend (the device runs the step)");
            return new OpenClBenchBackend(law, device);
        }

        public IBenchRun Prepare(int n, BenchDtype dtype)
        {
            var target = _law.Compiled.Target;
            try
            {
                var law = new OpenClLaw(target.Unit, n, new OpenClLawOptions
                {
                    VectorType = dtype == BenchDtype.F32 ? OpenClVectorType.Float : OpenClVectorType.Double,
                    Params = _law.SettingValues(),
                    Ablate = target.Ablate,
                    Lagged = target.Lagged,
                    Name = target.Name,
                });
                return dtype == BenchDtype.F32
                    ? new DeviceRun<float>(law, Array.ConvertAll(CpuBenchBackend.Normals(n, 1), v => (float)v), Array.ConvertAll(CpuBenchBackend.Normals(n, 2), v => (float)v))
                    : new DeviceRun<double>(law, CpuBenchBackend.Normals(n, 1), CpuBenchBackend.Normals(n, 2));
            }
            catch (EmitNotSupportedException ex)
            {
                throw OpenClReplay.CannotEmit(target.Name, ex);
            }
            catch (OpenClException ex) when (ex is not OpenClBuildException)
            {
                // A program the compiler refuses is a bug in the emitter: an internal error (exit 3), as replay reports it.
                throw new CliException("OpenCL: " + ex.Message, ex);
            }
            catch (OutOfMemoryException ex)
            {
                throw CpuBenchBackend.OutOfMemory(n, dtype, ex);
            }
        }

        public double CopyBandwidth()
        {
            const string source = "__kernel void copy(__global const float* a, __global float* b) { size_t i = get_global_id(0); b[i] = a[i]; }";
            const long count = 64L << 20;   // 256 MiB each way
            var device = OpenClPlatform.DefaultDevice();
            using var context = new OpenClContext(device);
            using var queue = context.CreateQueue();
            using var program = context.BuildProgram(source);
            using var kernel = program.CreateKernel("copy");
            using var a = context.CreateBuffer<float>(count);
            using var b = context.CreateBuffer<float>(count);
            kernel.SetArgument(0, a);
            kernel.SetArgument(1, b);
            double best = double.PositiveInfinity;
            for (int round = 0; round < 6; round++)
            {
                long start = Stopwatch.GetTimestamp();
                queue.Launch(kernel, count);
                queue.Finish();
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (round > 0) best = Math.Min(best, seconds);
            }
            return 2.0 * count * sizeof(float) / best / 1e9;
        }

        /// <summary>The bench's gradient and start point (the CPU backend's) in buffers of the law's context; device-resident steps on them.</summary>
        private sealed class DeviceRun<T> : IBenchRun where T : unmanaged
        {
            private readonly OpenClLaw _law;
            private readonly OpenClCommandQueue _queue;
            private readonly OpenClBuffer _grad, _theta;
            private readonly double[] _losses = CpuBenchBackend.Losses();
            private int _t;

            public DeviceRun(OpenClLaw law, T[] grad, T[] theta)
            {
                _law = law;
                _queue = law.Context.CreateQueue();
                _grad = law.Context.CreateBuffer<T>(grad.Length);
                _theta = law.Context.CreateBuffer<T>(theta.Length);
                _queue.Write<T>(_grad, grad);
                _queue.Write<T>(_theta, theta);
                _queue.Finish();
            }

            public void Step(int count)
            {
                for (int i = 0; i < count; i++) _law.Step(_losses[_t++ & (CpuBenchBackend.LossPeriod - 1)], _grad, _theta);
                _law.Finish();
            }

            public void Dispose()
            {
                _theta.Dispose();
                _grad.Dispose();
                _queue.Dispose();
                _law.Dispose();
            }
        }
    }
}
