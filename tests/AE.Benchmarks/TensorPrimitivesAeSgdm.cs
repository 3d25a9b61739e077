using System;
using System.Numerics;
using System.Numerics.Tensors;
using AE.Benchmarks.Laws;
using AE.Runtime;

namespace AE.Benchmarks
{
    /// <summary>
    /// AE-SGDm composed from <see cref="TensorPrimitives"/>: what a careful C# author writes without a
    /// compiler for the law. Each primitive is one vectorised pass; reductions and element arithmetic are
    /// in <typeparamref name="T"/> (TensorPrimitives has no mixed-precision reductions), the scalar law
    /// in double (<see cref="AeSgdmScalars"/>). A step allocates nothing.
    /// </summary>
    public sealed class TensorPrimitivesAeSgdm<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly T[] _m, _g0, _g, _tmp, _noise;
        private readonly AeSgdmScalars _law;
        private readonly ulong _seed;
        private ulong _step;

        /// <param name="seed">seed of the noise draws: the generated law's draws for the same seed (its one noise() site, 1)</param>
        public TensorPrimitivesAeSgdm(int n, AeSgdm.Options? options = null, ulong seed = 0)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1");
            N = n;
            _law = new AeSgdmScalars(options);
            _m = new T[n];
            _g0 = new T[n];
            _g = new T[n];
            _tmp = new T[n];
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

            // A finite sum of squares proves there is no NaN or ±inf to sanitise, so the gradient is used as
            // it is; only otherwise is a sanitised copy made (and its sum of squares taken again).
            ReadOnlySpan<T> g0 = grad;
            T gg0 = TensorPrimitives.SumOfSquares(grad);
            if (!T.IsFinite(gg0))
            {
                var copy = _g0.AsSpan(0, n);
                T lim = T.CreateTruncating(_law.GradEmergency);
                for (int i = 0; i < n; i++)
                {
                    T x = grad[i];
                    copy[i] = T.IsNaN(x) ? T.Zero : T.IsPositiveInfinity(x) ? lim : T.IsNegativeInfinity(x) ? -lim : x;
                }
                g0 = copy;
                gg0 = TensorPrimitives.SumOfSquares(g0);
            }
            T sumG0 = TensorPrimitives.Sum(g0);
            T normM = TensorPrimitives.Norm<T>(m);
            T dot = TensorPrimitives.Dot(g0, m);

            _law.Update(loss, n, double.CreateTruncating(gg0), double.CreateTruncating(sumG0), double.CreateTruncating(normM), double.CreateTruncating(dot));

            ReadOnlySpan<T> g = g0;
            if (_law.Clip != 1.0)
            {
                var scaled = _g.AsSpan(0, n);
                TensorPrimitives.Multiply(g0, T.CreateTruncating(_law.Clip), scaled);
                g = scaled;
            }

            // m' = mu' * m + (1 - mu') * g
            double mu = _law.NextMu;
            var tmp = _tmp.AsSpan(0, n);
            TensorPrimitives.Multiply(g, T.CreateTruncating(1.0 - mu), tmp);
            TensorPrimitives.MultiplyAdd(m, T.CreateTruncating(mu), tmp, m);

            // theta' = theta - alpha' * m', the step-norm cap folded into the factor (norm(alpha m) = alpha norm(m))
            double step = -_law.NextAlpha;
            if (_law.StepNormMax < double.PositiveInfinity)
            {
                double sn = _law.NextAlpha * double.CreateTruncating(TensorPrimitives.Norm<T>(m));
                if (sn > _law.StepNormMax) step *= _law.StepNormMax / sn;
            }
            TensorPrimitives.MultiplyAdd(m, T.CreateTruncating(step), theta, theta);

            double sigma = _law.NextSigma;
            if (sigma > 0)
            {
                // TensorPrimitives draws no random numbers: the generated law's draws fill a buffer.
                var noise = _noise.AsSpan(0, n);
                UnfusedAeSgdm<T>.FillNormal(noise, _seed, _step);
                TensorPrimitives.MultiplyAdd(noise, T.CreateTruncating(sigma), theta, theta);
            }

            if (_law.ClampsParams)
            {
                T hi = T.CreateTruncating(_law.ParamAbsMax);
                TensorPrimitives.Clamp(theta, -hi, hi, theta);
            }
        }
    }
}
