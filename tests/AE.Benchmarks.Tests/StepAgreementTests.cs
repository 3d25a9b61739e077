using System;
using System.Numerics;
using AE.Benchmarks.Laws;
using Xunit;
using Xunit.Abstractions;

namespace AE.Benchmarks.Tests
{
    /// <summary>
    /// The hand-written steps the benchmarks compare with (<see cref="UnfusedAeSgdm{T}"/>,
    /// <see cref="TensorPrimitivesAeSgdm{T}"/>) compute the law generated from laws/ae_sgdm.ae: over 200 steps
    /// on random input, every coefficient, theta and m stay within a tolerance of the generated step's.
    /// </summary>
    /// <remarks>
    /// Why a tolerance and not equality: the reductions are summed in another order (TensorPrimitives in
    /// SIMD lanes, and the generated step itself in lanes and threads once the emitter vectorises), and in
    /// float32 the hand-written steps do their element arithmetic in float where the generated step works
    /// in double and rounds once when it stores. Noise is off (sigma_max = 0): with it on, every step adds
    /// sigma * z to theta in another association, which only adds rounding of the same kind.
    /// Float64: 1e-9 relative (and 1e-12 of the vector's largest element, for elements near 0): a reordered
    /// sum differs by about 1e-16 sqrt(n), and 200 steps of EMAs, exp and log carry that to ~1e-13 here,
    /// so the bound leaves room for sums split over threads without hiding a wrong formula.
    /// Float32: 1e-4 relative (and 1e-6 of the vector's largest element): each step may round theta and m
    /// one float ulp (6e-8) apart, and where mu m + (1 - mu) g cancels few float bits are left; the
    /// largest deviation seen is under a tenth of this bound, while a wrong term moves values by percents.
    /// </remarks>
    public class StepAgreementTests
    {
        private const int Steps = 200;
        private const int N = 1003; // not a multiple of any SIMD width: the tails are exercised too

        private readonly ITestOutputHelper _output;

        public StepAgreementTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string> Configs => new() { "defaults", "clipped-and-capped" };

        /// <summary>Noise off; the second also clips the gradient norm and caps the step norm on most steps.</summary>
        private static AeSgdm.Options Options(string config) => config == "defaults"
            ? new AeSgdm.Options { sigma_max = 0.0 }
            : new AeSgdm.Options { sigma_max = 0.0, clip_grad_norm = 10.0, step_norm_max = 1e-3, init_alpha = 1e-2 };

        [Theory]
        [MemberData(nameof(Configs))]
        public void Float64_steps_agree_with_the_generated_law(string config) => Agree<double>(config, rtol: 1e-9, atolOfMax: 1e-12);

        [Theory]
        [MemberData(nameof(Configs))]
        public void Float32_steps_agree_with_the_generated_law(string config) => Agree<float>(config, rtol: 1e-4, atolOfMax: 1e-6);

        private void Agree<T>(string config, double rtol, double atolOfMax) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var fused = new AeSgdm(N, Options(config));
            var unfused = new UnfusedAeSgdm<T>(N, Options(config));
            var tensor = new TensorPrimitivesAeSgdm<T>(N, Options(config));
            var theta0 = BenchInputs.Random<T>(N, 7, 1.0);
            T[] thetaF = (T[])theta0.Clone(), thetaU = (T[])theta0.Clone(), thetaT = (T[])theta0.Clone();
            var random = new Random(11);
            var worst = new Worst();
            double alphaBeforeBrake = 0, alphaAfterBrake = 0, lastStepNorm = 0;
            for (int step = 1; step <= Steps; step++)
            {
                var grad = BenchInputs.Random<T>(N, 100 + step, 1.0 + 0.5 * Math.Sin(step / 7.0));
                if (step == 50)
                {
                    // sanitize's three cases, and the brake that the ±inf (sanitised to ±grad_emergency) trips
                    grad[3] = T.NaN;
                    grad[7] = T.PositiveInfinity;
                    grad[11] = T.NegativeInfinity;
                }
                T loss = T.CreateTruncating(1.0 + 0.2 * Math.Sin(step / 20.0) + 0.01 * random.NextDouble());

                if (step == 50) alphaBeforeBrake = fused.alpha;
                var before = (T[])thetaF.Clone();
                StepFused(fused, loss, grad, thetaF);
                if (step == 50) alphaAfterBrake = fused.alpha;
                lastStepNorm = Distance(before, thetaF);
                unfused.Step(double.CreateTruncating(loss), grad, thetaU);
                tensor.Step(double.CreateTruncating(loss), grad, thetaT);

                var expected = (fused.alpha, fused.mu, fused.sigma);
                var fusedM = FusedM<T>(fused);
                foreach (var (name, law, theta, m) in new[] { ("unfused", unfused.Law, thetaU, unfused.M.ToArray()), ("TensorPrimitives", tensor.Law, thetaT, tensor.M.ToArray()) })
                {
                    Scalar(worst, name, "alpha", step, law.Alpha, expected.alpha, rtol);
                    Scalar(worst, name, "mu", step, law.Mu, expected.mu, rtol);
                    Scalar(worst, name, "sigma", step, law.Sigma, expected.sigma, rtol);
                    Scalar(worst, name, "gamma", step, law.Gamma, fused.gamma, rtol);
                    Vector(worst, name, "theta", step, theta, thetaF, rtol, atolOfMax);
                    Vector(worst, name, "m", step, m, fusedM, rtol, atolOfMax);
                }
            }
            _output.WriteLine(typeof(T).Name + " " + config + ": largest deviation in tolerances: " + worst);
            Assert.True(fused.StepCount == Steps && unfused.Law.StepCount == Steps && tensor.Law.StepCount == Steps);
            Assert.True(worst.Ratio <= 1.0, typeof(T).Name + " " + config + ": " + worst);
            // The run exercised the guards it is meant to: the brake at step 50 (the clip hides the ±inf from it
            // in the second config) and, in the second config, both caps.
            Assert.Equal(0.0, fused.sigma);
            if (config == "defaults")
            {
                Assert.True(alphaAfterBrake < alphaBeforeBrake / 5, "no brake at step 50: alpha " + alphaBeforeBrake + " -> " + alphaAfterBrake);
            }
            else
            {
                Assert.True(unfused.Law.Clip < 1, "the gradient norm was not clipped at the last step");
                Assert.InRange(lastStepNorm, 0.99e-3, 1.01e-3);
            }
        }

        /// <summary>The comparison with the fused step is fair only if the hand-written steps allocate nothing either.</summary>
        [Fact]
        public void Hand_written_steps_allocate_nothing()
        {
            Assert.Equal(0, Allocated<float>());
            Assert.Equal(0, Allocated<double>());
        }

        private static long Allocated<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            // law defaults: noise is drawn, so the noise pass is measured too
            var unfused = new UnfusedAeSgdm<T>(N);
            var tensor = new TensorPrimitivesAeSgdm<T>(N);
            var grad = BenchInputs.Random<T>(N, 1, 1.0);
            var theta = BenchInputs.Random<T>(N, 2, 1.0);
            var losses = BenchInputs.Losses<T>();
            for (int i = 0; i < 3; i++)
            {
                unfused.Step(double.CreateTruncating(losses[i]), grad, theta);
                tensor.Step(double.CreateTruncating(losses[i]), grad, theta);
            }
            long allocated = AE.Tests.Shared.Allocated.LeastOfThree(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 3; i < 50; i++)
                {
                    unfused.Step(double.CreateTruncating(losses[i]), grad, theta);
                    tensor.Step(double.CreateTruncating(losses[i]), grad, theta);
                }
                return GC.GetAllocatedBytesForCurrentThread() - before;
            });
            Assert.True(unfused.Law.NextSigma > 0 && tensor.Law.NextSigma > 0);
            return allocated;
        }

        private static void StepFused<T>(AeSgdm law, T loss, T[] grad, T[] theta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            if (typeof(T) == typeof(float)) law.Step((float)(object)loss, (float[])(object)grad, (float[])(object)theta);
            else law.Step((double)(object)loss, (double[])(object)grad, (double[])(object)theta);
        }

        private static double Distance<T>(T[] a, T[] b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            double sum = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double d = double.CreateTruncating(a[i]) - double.CreateTruncating(b[i]);
                sum += d * d;
            }
            return Math.Sqrt(sum);
        }

        /// <summary>The generated law's momentum buffer in the precision it stepped in (it keeps the float copy privately).</summary>
        private static T[] FusedM<T>(AeSgdm law) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            if (typeof(T) == typeof(double)) return (T[])(object)law.m.ToArray();
            var field = typeof(AeSgdm).GetField("__st_m_f32", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
                ?? throw new InvalidOperationException("the generated AeSgdm keeps no float copy of m named __st_m_f32");
            return (T[])field.GetValue(law)!;
        }

        private static void Scalar(Worst worst, string impl, string what, int step, double actual, double expected, double rtol)
        {
            double tol = rtol * Math.Abs(expected) + 1e-300;
            worst.See(Math.Abs(actual - expected) / tol, impl + " " + what + " at step " + step + ": " + actual.ToString("R") + " vs " + expected.ToString("R"));
        }

        private static void Vector<T>(Worst worst, string impl, string what, int step, T[] actual, T[] expected, double rtol, double atolOfMax)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            double max = 0;
            foreach (var e in expected) max = Math.Max(max, Math.Abs(double.CreateTruncating(e)));
            double atol = atolOfMax * max + 1e-300;
            for (int i = 0; i < expected.Length; i++)
            {
                double a = double.CreateTruncating(actual[i]), e = double.CreateTruncating(expected[i]);
                double ratio = Math.Abs(a - e) / (atol + rtol * Math.Abs(e));
                if (!(ratio <= worst.Ratio)) worst.See(double.IsNaN(ratio) ? double.PositiveInfinity : ratio,
                    impl + " " + what + "[" + i + "] at step " + step + ": " + a.ToString("R") + " vs " + e.ToString("R"));
            }
        }

        /// <summary>The largest deviation seen, as a fraction of its tolerance, and where.</summary>
        private sealed class Worst
        {
            public double Ratio { get; private set; }

            public string Where { get; private set; } = "none";

            public void See(double ratio, string where)
            {
                if (double.IsNaN(ratio)) ratio = double.PositiveInfinity;
                if (ratio > Ratio)
                {
                    Ratio = ratio;
                    Where = where;
                }
            }

            public override string ToString() => Ratio.ToString("G3") + " (" + Where + ")";
        }
    }
}
