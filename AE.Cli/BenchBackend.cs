using System;
using AE.Dsl.Schedule;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using AE.Runtime;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>The element type of the vectors a benchmark steps.</summary>
    public enum BenchDtype
    {
        F32,
        F64,
    }

    /// <summary>What <c>ae bench</c> asks a backend for: the law (file, name, <c>--set</c> values) and the threads.</summary>
    /// <param name="LawPaths">the .ae files as given, or the default law's path</param>
    /// <param name="LawName">the law or variant, or null for the file's first law of the optimizer shape</param>
    /// <param name="Smallest">the smallest size to be timed: the law is checked against its settings at that size (a law whose dims need n of 4 or more cannot be built at 1)</param>
    internal sealed record BenchRequest(IReadOnlyList<string> LawPaths, string? LawName, IReadOnlyList<ParamSetting> Settings, int Threads, CliContext Context, int Smallest);

    /// <summary>
    /// A way to run a law's steps that <c>ae bench</c> can time: the C# law on the CPU, or (later) a device.
    /// The command owns the timing, the statistics and the output; a backend only prepares and steps.
    /// </summary>
    internal interface IBenchBackend
    {
        /// <summary>The name given to <c>--backend</c>.</summary>
        string Name { get; }

        /// <summary>The law's (or variant's) name.</summary>
        string LawName { get; }

        /// <summary>The .ae file as shown to the user.</summary>
        string LawFile { get; }

        /// <summary>The threads (or device queues) a step runs on, as the backend will actually use them.</summary>
        int Threads { get; }

        /// <summary>The vectors a step reads and writes per element, over its passes: the bytes it must move at the least.</summary>
        VectorTraffic Traffic { get; }

        /// <summary>
        /// A fresh law of <paramref name="n"/> parameters with its inputs in place (a fixed random gradient and
        /// start point, slowly varying losses), ready to step. Too little memory is a <see cref="CliException"/>.
        /// </summary>
        IBenchRun Prepare(int n, BenchDtype dtype);

        /// <summary>
        /// The copy bandwidth of the memory the steps run in, GB/s with bytes read and written both counted:
        /// the best of several copies of arrays larger than the caches, on <see cref="Threads"/> threads.
        /// </summary>
        double CopyBandwidth();
    }

    /// <summary>One prepared law and its vectors.</summary>
    internal interface IBenchRun : IDisposable
    {
        /// <summary>Takes <paramref name="count"/> steps and returns once all have completed (a device backend waits for its queue).</summary>
        void Step(int count);
    }

    /// <summary>The backends of <c>ae bench --backend</c>.</summary>
    internal static class BenchBackends
    {
        public static IReadOnlyList<string> Names { get; } = new[] { "cpu", "opencl", "ilgpu" };

        /// <summary>"cpu, opencl or ilgpu": the names as an error message lists them.</summary>
        public static string Expected => string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[^1];

        /// <summary>The backend <paramref name="name"/> for <paramref name="request"/>.</summary>
        public static IBenchBackend Create(string name, BenchRequest request) => name switch
        {
            "cpu" => CpuBenchBackend.Create(request),
            "opencl" => OpenClBenchBackend.Create(request),
            "ilgpu" => IlgpuBenchBackend.Create(request),
            _ => throw CliException.BadUsage("invalid value '" + name + "' for '--backend'; expected " + Expected, BenchCommand.Name),
        };
    }

    /// <summary>The law compiled to C# in this process (as <c>ae run</c> compiles it), stepped on the CPU.</summary>
    internal sealed class CpuBenchBackend : IBenchBackend
    {
        /// <summary>Copy bandwidth by thread count: the machine's does not change between the commands of one process.</summary>
        private static readonly ConcurrentDictionary<int, double> CopyBandwidths = new();

        private readonly ExperimentLaw _law;

        private CpuBenchBackend(ExperimentLaw law, int threads)
        {
            _law = law;
            Threads = threads;
        }

        public string Name => "cpu";

        public string LawName => _law.Name;

        public string LawFile => _law.FilePath;

        public int Threads { get; }

        private VectorTraffic? _traffic;

        /// <summary>The law's traffic, from its step schedule, worked out once (every size's row reads it).</summary>
        public VectorTraffic Traffic => _traffic ??= _law.Compiled.Target.CSharpTraffic();

        public static CpuBenchBackend Create(BenchRequest request)
        {
            var law = ExperimentLaw.Load(request.LawPaths, request.LawName, request.Settings, Array.Empty<string>(), request.Context.CurrentDirectory, request.Context.Stderr, BenchCommand.Name, validationDimension: request.Smallest);
            var probe = law.Create(law.ProbeDimension(request.Smallest), 0);
            int threads = SetThreads(probe, request.Threads);
            if (threads != request.Threads)
                request.Context.Stderr.WriteLine("ae: note: " + law.Name + " " + (HasMaxThreads(probe) ? "runs on " + Int(threads) : "has no MaxThreads and runs on 1")
                    + " thread" + (threads == 1 ? "" : "s") + ", not the " + Int(request.Threads) + " of --threads");
            return new CpuBenchBackend(law, threads);
        }

        public IBenchRun Prepare(int n, BenchDtype dtype)
        {
            // Linux hands out memory it does not have and kills the process when the pages are touched: an
            // OutOfMemoryException never comes, so the size is checked against what is available first.
            long need = BytesPerElement(dtype, n) * (long)n;
            long have = AvailableMemoryBytes();
            if (need > 0 && have > 0 && need > have)
                throw new CliException("n = " + Int(n) + " needs about " + Gigabytes(need) + " of memory (" + (dtype == BenchDtype.F32 ? "f32" : "f64") + "), and "
                    + Gigabytes(have) + " is available; give a smaller --n");
            try
            {
                var law = _law.Create(n, 0);
                SetThreads(law, Threads);
                return dtype == BenchDtype.F32 ? new Run32(law, n) : new Run64(law, n);
            }
            catch (OutOfMemoryException ex)
            {
                throw OutOfMemory(n, dtype, ex);
            }
        }

        /// <summary>The one line for a size whose vectors this process could not allocate, on any backend.</summary>
        internal static CliException OutOfMemory(int n, BenchDtype dtype, OutOfMemoryException ex) =>
            new("not enough memory for n = " + Int(n) + " (" + (dtype == BenchDtype.F32 ? "f32" : "f64") + "); give a smaller --n", ex);

        public double CopyBandwidth() => CopyBandwidths.GetOrAdd(Threads, MeasureCopy);

        /// <summary>
        /// Sets the generated law's <c>MaxThreads</c> when it has one (an emitter without threads has none) and
        /// returns what the law reports back; 1 without it.
        /// </summary>
        internal static int SetThreads(IOptimizerLaw law, int threads)
        {
            var property = MaxThreads(law);
            if (property is null) return 1;
            property.SetValue(law, threads);
            return property.CanRead ? (int)property.GetValue(law)! : threads;
        }

        private static bool HasMaxThreads(IOptimizerLaw law) => MaxThreads(law) is not null;

        private static PropertyInfo? MaxThreads(IOptimizerLaw law)
            => law.GetType().GetProperty("MaxThreads", BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true } p && p.PropertyType == typeof(int) ? p : null;

        private readonly Dictionary<BenchDtype, long> _bytesPerElement = new();

        /// <summary>
        /// The bytes a run of this law takes per element, measured: everything a run at the law's probe size
        /// (<see cref="ExperimentLaw.ProbeDimension(int)"/>) allocates to its first step (the law, its state of that
        /// precision, made at the first step, and the run's inputs), divided by its length and rounded up (the law's fixed
        /// costs are a rounding error there). 0, unknown, for a size the probe would not be smaller than: nothing is
        /// gained by measuring a run as large as the one asked for.
        /// </summary>
        private long BytesPerElement(BenchDtype dtype, int n)
        {
            int size = _law.ProbeDimension(n);
            if (size >= n) return 0;
            if (_bytesPerElement.TryGetValue(dtype, out long known)) return known;
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var law = _law.Create(size, 0);
            SetThreads(law, Threads);
            using (IBenchRun run = dtype == BenchDtype.F32 ? new Run32(law, size) : new Run64(law, size)) run.Step(1);
            long bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
            return _bytesPerElement[dtype] = Math.Max(1, (bytes + size - 1) / size);
        }

        /// <summary>What the process can still take: the smaller of the runtime's limit (a container's, or the machine's) and Linux's MemAvailable.</summary>
        private static long AvailableMemoryBytes()
        {
            long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            try
            {
                foreach (var line in File.ReadLines("/proc/meminfo"))
                {
                    if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                        limit = limit > 0 ? Math.Min(limit, kb * 1024) : kb * 1024;
                    break;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not Linux, or /proc hidden: the runtime's figure alone.
            }
            return limit;
        }

        private static string Gigabytes(long bytes) => (bytes / 1e9).ToString(bytes >= 10e9 ? "0" : "0.0", CultureInfo.InvariantCulture) + " GB";

        /// <summary>Best of five copies (after one to fault the pages in) of an array larger than the last-level cache, split over the threads.</summary>
        private static double MeasureCopy(int threads)
        {
            long size = Math.Max(256L << 20, 4 * LastLevelCacheBytes());
            size = Math.Min(size, 1L << 30);
            var source = GC.AllocateUninitializedArray<byte>((int)size);
            var target = GC.AllocateUninitializedArray<byte>((int)size);
            source.AsSpan().Fill(1);
            double best = double.PositiveInfinity;
            for (int round = 0; round < 6; round++)
            {
                long start = Stopwatch.GetTimestamp();
                Copy(source, target, threads);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (round > 0) best = Math.Min(best, seconds);
            }
            return 2.0 * size / best / 1e9;
        }

        private static void Copy(byte[] source, byte[] target, int threads)
        {
            if (threads <= 1)
            {
                source.AsSpan().CopyTo(target);
                return;
            }
            long chunk = (source.LongLength + threads - 1) / threads;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                long start = t * chunk, end = Math.Min(source.LongLength, start + chunk);
                if (start < end) source.AsSpan((int)start, (int)(end - start)).CopyTo(target.AsSpan((int)start));
            });
        }

        /// <summary>The largest cache Linux reports for CPU 0 (0 when it cannot be read).</summary>
        private static long LastLevelCacheBytes()
        {
            long largest = 0;
            try
            {
                const string caches = "/sys/devices/system/cpu/cpu0/cache";
                if (!Directory.Exists(caches)) return 0;
                foreach (var dir in Directory.EnumerateDirectories(caches, "index*"))
                {
                    string file = Path.Combine(dir, "size");
                    if (!File.Exists(file)) continue;
                    string text = File.ReadAllText(file).Trim();
                    long unit = text.EndsWith('K') ? 1024 : text.EndsWith('M') ? 1024 * 1024 : 1;
                    if (long.TryParse(text.TrimEnd('K', 'M'), NumberStyles.None, CultureInfo.InvariantCulture, out long v)) largest = Math.Max(largest, v * unit);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return largest;
            }
            return largest;
        }

        private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

        /// <summary>Loss values cycle with this period (a power of two: the index is a mask).</summary>
        internal const int LossPeriod = 1024;

        internal static double[] Losses()
        {
            var losses = new double[LossPeriod];
            for (int i = 0; i < LossPeriod; i++) losses[i] = 1.0 + 0.1 * Math.Sin(2.0 * Math.PI * i / LossPeriod);
            return losses;
        }

        /// <summary>Standard normals from a fixed seed: the same inputs on every run.</summary>
        internal static double[] Normals(int n, int seed)
        {
            var random = new Random(seed);
            var values = new double[n];
            for (int i = 0; i < n; i++)
            {
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                values[i] = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            }
            return values;
        }

        internal sealed class Run64 : IBenchRun
        {
            private readonly IOptimizerLaw _law;
            private readonly double[] _grad, _theta, _losses = Losses();
            private int _t;

            public Run64(IOptimizerLaw law, int n)
            {
                _law = law;
                _grad = Normals(n, 1);
                _theta = Normals(n, 2);
            }

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Step(int count)
            {
                for (int i = 0; i < count; i++) _law.Step(_losses[_t++ & (LossPeriod - 1)], _grad, _theta);
            }

            public void Dispose() { }
        }

        internal sealed class Run32 : IBenchRun
        {
            private readonly IOptimizerLaw _law;
            private readonly float[] _grad, _theta, _losses;
            private int _t;

            public Run32(IOptimizerLaw law, int n)
            {
                _law = law;
                _grad = Array.ConvertAll(Normals(n, 1), v => (float)v);
                _theta = Array.ConvertAll(Normals(n, 2), v => (float)v);
                _losses = Array.ConvertAll(Losses(), v => (float)v);
            }

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Step(int count)
            {
                for (int i = 0; i < count; i++) _law.Step(_losses[_t++ & (LossPeriod - 1)], _grad, _theta);
            }

            public void Dispose() { }
        }
    }
}
