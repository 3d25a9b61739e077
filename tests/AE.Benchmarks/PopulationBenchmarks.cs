using System;
using AE.Benchmarks.Laws;
using BenchmarkDotNet.Attributes;

namespace AE.Benchmarks
{
    /// <summary>
    /// A population of K AE-SGDm agents (the seed's AEEnsemble steps each agent on its own parameters),
    /// stepped as K independent generated laws, one after the other, on one thread: the cost a population
    /// backend has to beat. Each member has its own gradient and parameters. Without noise
    /// (sigma_max = 0), so the figure is the memory traffic's and the per-step overhead's.
    /// </summary>
    /// <remarks>
    /// PLACEHOLDER for the population backend: the generated <c>AeSgdmPopulation</c> type is not in this
    /// build. When it is, add a benchmark here that steps one <c>AeSgdmPopulation</c> of K members over the
    /// same <c>_grads</c>/<c>_thetas</c> and mark <see cref="SeparateLaws_f32"/> as the baseline.
    /// </remarks>
    [MemoryDiagnoser]
    public class PopulationBenchmarks
    {
        [Params(8, 64)]
        public int K { get; set; }

        [Params(1_000, 100_000)]
        public int N { get; set; }

        private AeSgdm[] _laws = Array.Empty<AeSgdm>();
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

        /// <summary>One step of every member (each member's loss offset in the cycle, so they differ).</summary>
        [Benchmark]
        public void SeparateLaws_f32()
        {
            int t = _t++;
            for (int k = 0; k < _laws.Length; k++)
                _laws[k].Step(_loss32[(t + 37 * k) & (BenchInputs.LossPeriod - 1)], _grads32[k], _thetas32[k]);
        }

        [Benchmark]
        public void SeparateLaws_f64()
        {
            int t = _t++;
            for (int k = 0; k < _laws.Length; k++)
                _laws[k].Step(_loss64[(t + 37 * k) & (BenchInputs.LossPeriod - 1)], _grads64[k], _thetas64[k]);
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
