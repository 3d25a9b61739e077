using System;
using AE.Benchmarks.Laws;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace AE.Benchmarks
{
    /// <summary>
    /// One AE-SGDm step over n parameters, three ways, in float32 and float64: the law generated from
    /// laws/ae_sgdm.ae (fused: two passes over the vectors), the seed's one-pass-per-operation style
    /// (<see cref="UnfusedAeSgdm{T}"/>) and a TensorPrimitives composition (<see cref="TensorPrimitivesAeSgdm{T}"/>).
    /// The fused step is the baseline of each precision; it runs on one thread here (see
    /// <see cref="FusedThreadsBenchmarks"/> for more).
    /// </summary>
    [MemoryDiagnoser]
    [GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
    [CategoriesColumn]
    public class StepBenchmarks
    {
        private const int GradSeed = 1, ThetaSeed = 2;

        [Params(1_000, 100_000, 1_000_000, 10_000_000)]
        public int N { get; set; }

        [Params(LawConfig.Defaults, LawConfig.SigmaMax0)]
        public LawConfig Config { get; set; }

        private float[] _grad32 = Array.Empty<float>(), _theta32 = Array.Empty<float>(), _loss32 = Array.Empty<float>();
        private double[] _grad64 = Array.Empty<double>(), _theta64 = Array.Empty<double>(), _loss64 = Array.Empty<double>();
        private AeSgdm? _fused;
        private UnfusedAeSgdm<float>? _unfused32;
        private UnfusedAeSgdm<double>? _unfused64;
        private TensorPrimitivesAeSgdm<float>? _tensor32;
        private TensorPrimitivesAeSgdm<double>? _tensor64;
        private int _t;

        // One setup per benchmark: each runs in its own process, and at n = 1e7 allocating every
        // variant's vectors for each would only cost memory.
        [GlobalSetup(Targets = new[] { nameof(Fused_f32) })]
        public void SetupFused32()
        {
            Inputs32();
            _fused = new AeSgdm(N, BenchInputs.Options(Config));
            LawThreads.Set(_fused, 1);
        }

        [GlobalSetup(Targets = new[] { nameof(Fused_f64) })]
        public void SetupFused64()
        {
            Inputs64();
            _fused = new AeSgdm(N, BenchInputs.Options(Config));
            LawThreads.Set(_fused, 1);
        }

        [GlobalSetup(Targets = new[] { nameof(Unfused_f32) })]
        public void SetupUnfused32()
        {
            Inputs32();
            _unfused32 = new UnfusedAeSgdm<float>(N, BenchInputs.Options(Config));
        }

        [GlobalSetup(Targets = new[] { nameof(Unfused_f64) })]
        public void SetupUnfused64()
        {
            Inputs64();
            _unfused64 = new UnfusedAeSgdm<double>(N, BenchInputs.Options(Config));
        }

        [GlobalSetup(Targets = new[] { nameof(TensorPrimitives_f32) })]
        public void SetupTensor32()
        {
            Inputs32();
            _tensor32 = new TensorPrimitivesAeSgdm<float>(N, BenchInputs.Options(Config));
        }

        [GlobalSetup(Targets = new[] { nameof(TensorPrimitives_f64) })]
        public void SetupTensor64()
        {
            Inputs64();
            _tensor64 = new TensorPrimitivesAeSgdm<double>(N, BenchInputs.Options(Config));
        }

        [Benchmark(Baseline = true), BenchmarkCategory("float32")]
        public void Fused_f32() => _fused!.Step(_loss32[_t++ & (BenchInputs.LossPeriod - 1)], _grad32, _theta32);

        [Benchmark, BenchmarkCategory("float32")]
        public void Unfused_f32() => _unfused32!.Step(_loss32[_t++ & (BenchInputs.LossPeriod - 1)], _grad32, _theta32);

        [Benchmark, BenchmarkCategory("float32")]
        public void TensorPrimitives_f32() => _tensor32!.Step(_loss32[_t++ & (BenchInputs.LossPeriod - 1)], _grad32, _theta32);

        [Benchmark(Baseline = true), BenchmarkCategory("float64")]
        public void Fused_f64() => _fused!.Step(_loss64[_t++ & (BenchInputs.LossPeriod - 1)], _grad64, _theta64);

        [Benchmark, BenchmarkCategory("float64")]
        public void Unfused_f64() => _unfused64!.Step(_loss64[_t++ & (BenchInputs.LossPeriod - 1)], _grad64, _theta64);

        [Benchmark, BenchmarkCategory("float64")]
        public void TensorPrimitives_f64() => _tensor64!.Step(_loss64[_t++ & (BenchInputs.LossPeriod - 1)], _grad64, _theta64);

        private void Inputs32()
        {
            _grad32 = BenchInputs.Random<float>(N, GradSeed, 1.0);
            _theta32 = BenchInputs.Random<float>(N, ThetaSeed, 1.0);
            _loss32 = BenchInputs.Losses<float>();
        }

        private void Inputs64()
        {
            _grad64 = BenchInputs.Random<double>(N, GradSeed, 1.0);
            _theta64 = BenchInputs.Random<double>(N, ThetaSeed, 1.0);
            _loss64 = BenchInputs.Losses<double>();
        }
    }

    /// <summary>
    /// The fused generated step on 1, 2, 4, ... threads (the law's <c>MaxThreads</c>), without noise, so
    /// the figure is the memory traffic's. With a law that has no <c>MaxThreads</c> only 1 is run.
    /// </summary>
    [MemoryDiagnoser]
    public class FusedThreadsBenchmarks
    {
        [Params(100_000, 1_000_000, 10_000_000)]
        public int N { get; set; }

        [ParamsSource(nameof(ThreadCounts))]
        public int Threads { get; set; }

        public static int[] ThreadCounts => LawThreads.Counts();

        private float[] _grad32 = Array.Empty<float>(), _theta32 = Array.Empty<float>(), _loss32 = Array.Empty<float>();
        private double[] _grad64 = Array.Empty<double>(), _theta64 = Array.Empty<double>(), _loss64 = Array.Empty<double>();
        private AeSgdm? _law;
        private int _t;

        [GlobalSetup(Targets = new[] { nameof(Fused_f32) })]
        public void Setup32()
        {
            _grad32 = BenchInputs.Random<float>(N, 1, 1.0);
            _theta32 = BenchInputs.Random<float>(N, 2, 1.0);
            _loss32 = BenchInputs.Losses<float>();
            _law = new AeSgdm(N, BenchInputs.Options(LawConfig.SigmaMax0));
            LawThreads.Set(_law, Threads);
        }

        [GlobalSetup(Targets = new[] { nameof(Fused_f64) })]
        public void Setup64()
        {
            _grad64 = BenchInputs.Random<double>(N, 1, 1.0);
            _theta64 = BenchInputs.Random<double>(N, 2, 1.0);
            _loss64 = BenchInputs.Losses<double>();
            _law = new AeSgdm(N, BenchInputs.Options(LawConfig.SigmaMax0));
            LawThreads.Set(_law, Threads);
        }

        [Benchmark]
        public void Fused_f32() => _law!.Step(_loss32[_t++ & (BenchInputs.LossPeriod - 1)], _grad32, _theta32);

        [Benchmark]
        public void Fused_f64() => _law!.Step(_loss64[_t++ & (BenchInputs.LossPeriod - 1)], _grad64, _theta64);
    }
}
