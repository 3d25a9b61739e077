using System;
using System.Diagnostics;
using AE.Dsl.Emit;
using AE.Dsl.Emit.OpenCl;
using AE.Kernels;
using AE.Kernels.OpenCl;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae bench --backend opencl</c>: the law's OpenCL program on the default device (see
    /// docs/opencl-backend.md), stepped through <see cref="OpenClLaw"/> as <c>ae replay</c> does, so a step
    /// includes writing the gradient to the device and reading the parameters back. The copy bandwidth is
    /// the device's own: a copy kernel between two device buffers.
    /// </summary>
    internal sealed class OpenClBenchBackend : IBenchBackend
    {
        private readonly ExperimentLaw _law;

        private OpenClBenchBackend(ExperimentLaw law) => _law = law;

        public string Name => "opencl";

        public string LawName => _law.Name;

        public string LawFile => _law.FilePath;

        public int Threads => 1;

        public bool OnePass => _law.Compiled.Target.Lagged;

        public static OpenClBenchBackend Create(BenchRequest request)
        {
            var law = ExperimentLaw.Load(request.LawPaths, request.LawName, request.Settings, Array.Empty<string>(), request.Context, BenchCommand.Name, validationDimension: 1);
            try
            {
                OpenClPlatform.DefaultDevice();
            }
            catch (OpenClUnavailableException ex)
            {
                throw new CliException(ex.Message, ex);
            }
            if (request.Threads != 1) request.Context.Stderr.WriteLine("ae: note: --threads does not apply to the OpenCL backend (the device runs the step)");
            return new OpenClBenchBackend(law);
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
                return dtype == BenchDtype.F32 ? new Owned(new CpuBenchBackend.Run32(law, n), law) : new Owned(new CpuBenchBackend.Run64(law, n), law);
            }
            catch (EmitNotSupportedException ex)
            {
                throw new CliException("cannot emit '" + target.Name + "' for OpenCL: " + ex.Message, ex);
            }
            catch (OpenClException ex)
            {
                throw new CliException("OpenCL: " + ex.Message, ex);
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

        /// <summary>A run that also releases the device law.</summary>
        private sealed class Owned : IBenchRun
        {
            private readonly IBenchRun _run;
            private readonly OpenClLaw _law;

            public Owned(IBenchRun run, OpenClLaw law) { _run = run; _law = law; }

            public void Step(int count) => _run.Step(count);

            public void Dispose() { _run.Dispose(); _law.Dispose(); }
        }
    }
}
