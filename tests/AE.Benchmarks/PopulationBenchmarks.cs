using System;
using AE.Benchmarks.Laws;
using BenchmarkDotNet.Attributes;

namespace AE.Benchmarks
{
    /// <summary>
    /// A population of K AE-SGDm agents (the seed's AEEnsemble steps each agent on its own parameters):
    /// K independent generated laws stepped one after the other on one thread (the baseline), against one
    /// generated <c>AeSgdmPopulation</c> of K members, which steps 4 controllers per SIMD lane block. Each
    /// member has its own gradient and parameters (the population's host vectors are element-major,
    /// <c>[i * K + j]</c>). Without noise (sigma_max = 0). Controllers per second = K / time per step.
    /// </summary>
    [MemoryDiagnoser]
    public class PopulationBenchmarks
    {
        [Params(8, 64)]
        public int K { get; set; }

        [Params(1_000, 100_000)]
        public int N { get; set; }

        private AeSgdm[] _laws = Array.Empty<AeSgdm>();
        private AeSgdmPopulation? _population;
        private float[] _popGrad32 = Array.Empty<float>(), _popTheta32 = Array.Empty<float>(), _popLoss32 = Array.Empty<float>();
        private double[] _popGrad64 = Array.Empty<double>(), _popTheta64 = Array.Empty<double>(), _popLoss64 = Array.Empty<double>();
        private float[][] _grads32 = Array.Empty<float[]>(), _thetas32 = Array.Empty<float[]>();
        private double[][] _grads64 = Array.Empty<double[]>(), _thetas64 = Array.Empty<double[]>();
        private float[] _loss32 = Array.Empty<float>();
        private double[] _loss64 = Array.Empty<double>();
        private int _t;

        [GlobalSetup(Targets = new[] { nameof(SeparateLaws_f32) })]
        public void Setup32()
        {
            Laws();
            _grads32 = new float[K][];
            _thetas32 = new float[K][];
            for (int k = 0; k < K; k++)
            {
                _grads32[k] = BenchInputs.Random<float>(N, 1000 + k, 1.0);
                _thetas32[k] = BenchInputs.Random<float>(N, 2000 + k, 1.0);
            }
            _loss32 = BenchInputs.Losses<float>();
        }

        [GlobalSetup(Targets = new[] { nameof(SeparateLaws_f64) })]
        public void Setup64()
        {
            Laws();
            _grads64 = new double[K][];
            _thetas64 = new double[K][];
            for (int k = 0; k < K; k++)
            {
                _grads64[k] = BenchInputs.Random<double>(N, 1000 + k, 1.0);
                _thetas64[k] = BenchInputs.Random<double>(N, 2000 + k, 1.0);
            }
            _loss64 = BenchInputs.Losses<double>();
        }

        [GlobalSetup(Targets = new[] { nameof(Population_f32) })]
        public void SetupPopulation32()
        {
            Setup32();
            Population();
            _popGrad32 = new float[N * K];
            _popTheta32 = new float[N * K];
            for (int k = 0; k < K; k++)
                for (int i = 0; i < N; i++) { _popGrad32[i * K + k] = _grads32[k][i]; _popTheta32[i * K + k] = _thetas32[k][i]; }
            _popLoss32 = new float[K];
        }

        [GlobalSetup(Targets = new[] { nameof(Population_f64) })]
        public void SetupPopulation64()
        {
            Setup64();
            Population();
            _popGrad64 = new double[N * K];
            _popTheta64 = new double[N * K];
            for (int k = 0; k < K; k++)
                for (int i = 0; i < N; i++) { _popGrad64[i * K + k] = _grads64[k][i]; _popTheta64[i * K + k] = _thetas64[k][i]; }
            _popLoss64 = new double[K];
        }

        /// <summary>One step of every member (each member's loss offset in the cycle, so they differ).</summary>
        [Benchmark(Baseline = true)]
        public void SeparateLaws_f32()
        {
            int t = _t++;
            for (int k = 0; k < _laws.Length; k++)
                _laws[k].Step(_loss32[(t + 37 * k) & (BenchInputs.LossPeriod - 1)], _grads32[k], _thetas32[k]);
        }

        [Benchmark]
        public void Population_f32()
        {
            int t = _t++;
            for (int k = 0; k < K; k++) _popLoss32[k] = _loss32[(t + 37 * k) & (BenchInputs.LossPeriod - 1)];
            _population!.Step(_popLoss32, _popGrad32, _popTheta32);
        }

        [Benchmark]
        public void Population_f64()
        {
            int t = _t++;
            for (int k = 0; k < K; k++) _popLoss64[k] = _loss64[(t + 37 * k) & (BenchInputs.LossPeriod - 1)];
            _population!.Step(_popLoss64, _popGrad64, _popTheta64);
        }

        [Benchmark]
        public void SeparateLaws_f64()
        {
            int t = _t++;
            for (int k = 0; k < _laws.Length; k++)
                _laws[k].Step(_loss64[(t + 37 * k) & (BenchInputs.LossPeriod - 1)], _grads64[k], _thetas64[k]);
        }

        private void Population()
        {
            var options = new AeSgdm.Options?[K];
            for (int k = 0; k < K; k++) options[k] = BenchInputs.Options(LawConfig.SigmaMax0);
            _population = new AeSgdmPopulation(K, N, options);
        }

        private void Laws()
        {
            _laws = new AeSgdm[K];
            for (int k = 0; k < K; k++)
            {
                _laws[k] = new AeSgdm(N, BenchInputs.Options(LawConfig.SigmaMax0), seed: (ulong)k);
                LawThreads.Set(_laws[k], 1);
            }
        }
    }
}
