using System;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using AE.Runtime;
using AE.Runtime.Simd;
using BenchmarkDotNet.Attributes;

namespace AE.Benchmarks
{
    /// <summary>
    /// noise()'s counter-based draws (<see cref="CounterNoise"/>), time per element on one thread: the scalar definition,
    /// <see cref="AeNoise.Gaussian4"/>, <see cref="AeNoise.Gaussian8"/> and <see cref="AeNoise.Fill(ulong, ulong, int, long, Span{double})"/>
    /// into double and float, over N elements from index 0 (in chunks of AeSimd.ChunkSize, as a law's pass takes them);
    /// and, for scale, the sequential xoshiro256** stream (<see cref="GaussianSource"/>) that the counter-based draws replace.
    /// Each figure is per element (OperationsPerInvoke = N).
    /// </summary>
    public class NoiseBenchmarks
    {
        private const int N = 1 << 16;
        private const ulong Seed = 42, Step = 7;
        private const int Site = 3;
        private readonly double[] _doubles = new double[N];
        private readonly float[] _floats = new float[N];
        private GaussianSource _source = new(Seed);

        [Benchmark(Baseline = true, OperationsPerInvoke = N)]
        public void Scalar()
        {
            var d = _doubles;
            for (int i = 0; i < d.Length; i++) d[i] = CounterNoise.Gaussian(Seed, Step, Site, i);
        }

        [Benchmark(OperationsPerInvoke = N)]
        public void Gaussian4()
        {
            var d = _doubles;
            for (int i = 0; i <= d.Length - 4; i += 4) AeNoise.Gaussian4(Seed, Step, Site, i).CopyTo(d, i);
        }

        [Benchmark(OperationsPerInvoke = N)]
        public void Gaussian8()
        {
            var d = _doubles;
            for (int i = 0; i <= d.Length - 8; i += 8)
            {
                AeNoise.Gaussian8(Seed, Step, Site, i, out var lo, out var hi);
                lo.CopyTo(d, i);
                hi.CopyTo(d, i + 4);
            }
        }

        [Benchmark(OperationsPerInvoke = N)]
        public void Fill_f64()
        {
            for (int i = 0; i < N; i += AeSimd.ChunkSize) AeNoise.Fill(Seed, Step, Site, i, _doubles.AsSpan(i, Math.Min(AeSimd.ChunkSize, N - i)));
        }

        [Benchmark(OperationsPerInvoke = N)]
        public void Fill_f32()
        {
            for (int i = 0; i < N; i += AeSimd.ChunkSize) AeNoise.Fill(Seed, Step, Site, i, _floats.AsSpan(i, Math.Min(AeSimd.ChunkSize, N - i)));
        }

        private readonly ulong[] _words = new ulong[N];

        /// <summary>
        /// The Philox4x32-10 words of the N/2 blocks that N draws use, and nothing else (<see cref="PhiloxWords"/>): the floor under
        /// any draw of the language's definition on this core, whatever its transform.
        /// </summary>
        [Benchmark(OperationsPerInvoke = N)]
        public void Philox_integers_only() => PhiloxWords.Fill(Seed, Step, Site, 0, _words);

        [Benchmark(OperationsPerInvoke = N)]
        public void Xoshiro_sequential()
        {
            var d = _doubles;
            for (int i = 0; i < d.Length; i++) d[i] = _source.NextGaussian();
        }
    }

    /// <summary>
    /// <see cref="AeNoise.Fill(ulong, ulong, int, long, Span{float})"/> over n = 10^7 floats, the chunks of AeSimd.ChunkSize
    /// shared among 1 or 2 threads: wall time per element of the draws alone at a law's scale (the noise share of a
    /// float32 step with one draw per element).
    /// </summary>
    public class NoiseThreadsBenchmarks
    {
        private const int N = 10_000_000;

        [Params(1, 2)]
        public int Threads { get; set; }

        private readonly float[] _floats = new float[N];

        [Benchmark(OperationsPerInvoke = N)]
        public void Fill_f32_1e7()
        {
            int chunks = AeSimd.Chunks(N);
            var floats = _floats;
            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
            {
                for (int c = t; c < chunks; c += Threads)
                {
                    int start = c * AeSimd.ChunkSize;
                    AeNoise.Fill(42, 7, 3, start, floats.AsSpan(start, Math.Min(AeSimd.ChunkSize, N - start)));
                }
            });
        }

        [GlobalSetup]
        public void Describe() => Console.WriteLine($"// Vector512 accelerated: {Vector512.IsHardwareAccelerated}, Vector256: {Vector256.IsHardwareAccelerated}");
    }
}
