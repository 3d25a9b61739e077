using System;
using System.Runtime.InteropServices;
using System.Numerics;
using AE.Benchmarks.Laws;
using AE.Runtime;

namespace AE.Benchmarks
{
    /// <summary>
    /// AE-SGDm written by hand the way the seed's PyTorch code runs it: every vector operation is its own
    /// pass over memory (sanitize, sum(g*g), sum, norm, dot, clip scale, momentum update, step, noise,
    /// add, clamp), each reading its inputs and writing a full temporary. Temporaries are allocated once,
    /// so a step allocates nothing; this is the baseline the fused generated step is measured against.
    /// Reductions accumulate in double; element arithmetic is in <typeparamref name="T"/> (a float32
    /// tensor computes in float32); the scalar law is <see cref="AeSgdmScalars"/>.
    /// </summary>
    public sealed class UnfusedAeSgdm<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly T[] _m, _g0, _g, _upd, _noise;
        private readonly AeSgdmScalars _law;
        private readonly ulong _seed;
        private ulong _step;

        /// <param name="seed">seed of the noise draws: the generated law's draws for the same seed (its one noise() site, 1)</param>
        public UnfusedAeSgdm(int n, AeSgdm.Options? options = null, ulong seed = 0)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1");
            N = n;
            _law = new AeSgdmScalars(options);
            _m = new T[n];
            _g0 = new T[n];
            _g = new T[n];
            _upd = new T[n];
            _noise = new T[n];
            _seed = seed;
        }

        public int N { get; }

        public AeSgdmScalars Law => _law;

        public ReadOnlySpan<T> M => _m;

        public void Step(double loss, ReadOnlySpan<T> grad, Span<T> theta)
        {
            if (grad.Length != N) throw new ArgumentException("grad has " + grad.Length + " elements, expected " + N, nameof(grad));
            if (theta.Length != N) throw new ArgumentException("theta has " + theta.Length + " elements, expected " + N, nameof(theta));
            _step++;
            int n = N;
            var m = _m.AsSpan(0, n);
            var g0 = _g0.AsSpan(0, n);

            // grad = nan_to_num(grad, 0, grad_emergency, -grad_emergency)
            T lim = T.CreateTruncating(_law.GradEmergency);
            for (int i = 0; i < n; i++)
            {
                T x = grad[i];
                g0[i] = T.IsNaN(x) ? T.Zero : T.IsPositiveInfinity(x) ? lim : T.IsNegativeInfinity(x) ? -lim : x;
            }

            // (g*g).sum()
            double gg0 = 0;
            for (int i = 0; i < n; i++)
            {
                double x = double.CreateTruncating(g0[i]);
                gg0 += x * x;
            }

            // g.sum()
            double sumG0 = 0;
            for (int i = 0; i < n; i++) sumG0 += double.CreateTruncating(g0[i]);

            // norm(m)
            double mm = 0;
            for (int i = 0; i < n; i++)
            {
                double x = double.CreateTruncating(m[i]);
                mm += x * x;
            }

            // (g*m).sum()
            double dot = 0;
            for (int i = 0; i < n; i++) dot += double.CreateTruncating(g0[i]) * double.CreateTruncating(m[i]);

            _law.Update(loss, n, gg0, sumG0, Math.Sqrt(mm), dot);

            // grad = grad * (clip_grad_norm / gnorm): the seed scales only when it clips
            ReadOnlySpan<T> g = g0;
            if (_law.Clip != 1.0)
            {
                var scaled = _g.AsSpan(0, n);
                T clip = T.CreateTruncating(_law.Clip);
                for (int i = 0; i < n; i++) scaled[i] = g0[i] * clip;
                g = scaled;
            }

            // m = mu * m + (1 - mu) * grad
            T mu = T.CreateTruncating(_law.NextMu), oneMinusMu = T.CreateTruncating(1.0 - _law.NextMu);
            for (int i = 0; i < n; i++) m[i] = mu * m[i] + oneMinusMu * g[i];

            // upd = -alpha * m
            var upd = _upd.AsSpan(0, n);
            T minusAlpha = T.CreateTruncating(-_law.NextAlpha);
            for (int i = 0; i < n; i++) upd[i] = minusAlpha * m[i];

            // optional step cap: norm(upd), then upd * (step_norm_max / sn)
            if (_law.StepNormMax < double.PositiveInfinity)
            {
                double uu = 0;
                for (int i = 0; i < n; i++)
                {
                    double x = double.CreateTruncating(upd[i]);
                    uu += x * x;
                }
                double sn = Math.Sqrt(uu);
                if (sn > _law.StepNormMax)
                {
                    T scale = T.CreateTruncating(_law.StepNormMax / sn);
                    for (int i = 0; i < n; i++) upd[i] *= scale;
                }
            }

            // noise.normal_(std=sigma); upd = upd + noise
            double sigma = _law.NextSigma;
            if (sigma > 0)
            {
                var noise = _noise.AsSpan(0, n);
                FillNormal(noise, _seed, _step);
                for (int i = 0; i < n; i++) noise[i] *= T.CreateTruncating(sigma);
                for (int i = 0; i < n; i++) upd[i] += noise[i];
            }

            // theta.add_(upd)
            for (int i = 0; i < n; i++) theta[i] += upd[i];

            // theta.clamp_(-pm, pm)
            if (_law.ClampsParams)
            {
                T hi = T.CreateTruncating(_law.ParamAbsMax), lo = -hi;
                for (int i = 0; i < n; i++) theta[i] = T.Min(T.Max(theta[i], lo), hi);
            }
        }

        /// <summary>noise.normal_(): the law's draws of site 1 at a step (AeNoise.Fill, the generated loops' bulk draws).</summary>
        internal static void FillNormal(Span<T> noise, ulong seed, ulong step)
        {
            if (typeof(T) == typeof(float)) AE.Runtime.Simd.AeNoise.Fill(seed, step, 1, 0, MemoryMarshal.Cast<T, float>(noise));
            else if (typeof(T) == typeof(double)) AE.Runtime.Simd.AeNoise.Fill(seed, step, 1, 0, MemoryMarshal.Cast<T, double>(noise));
            else for (int i = 0; i < noise.Length; i++) noise[i] = T.CreateTruncating(CounterNoise.Gaussian(seed, step, 1, i));
        }
    }
}
