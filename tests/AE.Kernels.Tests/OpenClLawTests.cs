using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Kernels.OpenCl;
using AE.Runtime;
using AE.Tests.Shared;
using AE.Experiments.Replay;
using Xunit;
using Xunit.Abstractions;

namespace AE.Kernels.Tests
{
    /// <summary>
    /// The OpenCL law against the reference interpreter (double) and the C# backend (float), on random
    /// gradient and loss sequences with sigma_max = 0, so no noise is drawn and both sides are deterministic.
    ///
    /// Bound (double): every readable scalar, theta and the law's own vectors, at every step, within
    /// |a - b| &lt;= 1e-11 |b| + 1e-14 s, where s is the largest |b| of that quantity over the run. Why not
    /// bit-identical: PoCL's (and GPUs') exp, log, tanh, pow are not correctly rounded (a few ulps),
    /// and the reductions add in a tree per work-group then over groups, not left to right, so a sum of
    /// n terms moves by up to about (log2 wg + n / wg) ulps of the sum of its |terms|. The law's filters
    /// and clamps do not amplify such differences over these runs (observed on PoCL: at most 2e-13
    /// relative, 60 times inside the bound); the s term covers quantities that pass through zero, where
    /// a sum's rounding is relative to the size of its terms, not of its value. The golden cases allow
    /// 1e-9, a hundred times more.
    ///
    /// Bound (float): the float step rounds each element once from double, as the C# float step does; a
    /// ulp-level difference of the double value flips that rounding rarely, by one float ulp, which later
    /// steps carry on: vectors within 1e-5 relative of the C# float law (plus 1e-7 s), scalars within
    /// 1e-5 relative (plus 1e-14 s). Observed: theta identical, scalars within 1e-12 relative.
    /// </summary>
    public class OpenClLawTests
    {
        private readonly ITestOutputHelper _output;

        public OpenClLawTests(ITestOutputHelper output) => _output = output;

        private const double Rel = RandomInputs.Rel, AbsScale = RandomInputs.AbsScale;
        private const double FloatRel = RandomInputs.FloatRel, FloatAbsScale = RandomInputs.FloatAbsScale;

        public static TheoryData<string, int, int, int> DoubleCases()
        {
            var data = new TheoryData<string, int, int, int>();
            foreach (var file in new[] { "ae_sgdm.ae", "ae_adam.ae" })
            {
                // (n, seed, work-group size; 0 = the law chooses): lengths around and off the work-group size
                foreach (var (n, seed, wg) in new[] { (1, 1, 0), (2, 2, 0), (7, 3, 4), (64, 4, 64), (100, 5, 0), (255, 6, 0), (256, 7, 0), (257, 8, 0), (1000, 9, 32), (3001, 10, 0) })
                    data.Add(file, n, seed, wg);
            }
            return data;
        }

        private static Dictionary<string, double> NoNoise() => new() { ["sigma_max"] = 0 };

        [OpenClTheory]
        [MemberData(nameof(DoubleCases))]
        public void Double_steps_agree_with_the_reference_interpreter(string file, int n, int seed, int wg)
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit(file);
            // Odd seeds draw noise of a visible size every step (sigma kept in [0.01, 0.5]): a draw that differed would show.
            bool noise = seed % 2 == 1;
            var ps = !noise ? NoNoise() : new Dictionary<string, double> { ["sigma_min"] = 0.01, ["sigma_max"] = 0.5, ["init_sigma"] = 0.05 };
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Params = ps, Context = context, WorkGroupSize = wg, Seed = (ulong)seed });
            var cmp = new Comparison();
            RandomInputs.AgainstInterpreter(unit, n, seed, ps, law, (name, values) => law.ReadVector(name, values), cmp, steps: 60);
            cmp.AssertWithin(Rel, AbsScale, _output, $"{file} n={n} wg={law.WorkGroupSize}{(noise ? " with noise" : "")}");
        }

        public static TheoryData<string, int, int> FloatCases()
        {
            var data = new TheoryData<string, int, int>();
            foreach (var file in new[] { "ae_sgdm.ae", "ae_adam.ae" })
                foreach (var (n, seed) in new[] { (1, 11), (33, 12), (300, 13), (2049, 14) })
                    data.Add(file, n, seed);
            return data;
        }

        [OpenClTheory]
        [MemberData(nameof(FloatCases))]
        public void Float_steps_agree_with_the_csharp_float_step(string file, int n, int seed)
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit(file);
            var ps = NoNoise();
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Params = ps, Context = context, VectorType = OpenClVectorType.Float });
            var scalars = new Comparison();
            var vectors = new Comparison();
            RandomInputs.AgainstCSharpFloat(n, seed, law, EmittedLaw.Create(unit, n, ps), scalars, vectors, steps: 60);
            scalars.AssertWithin(FloatRel, AbsScale, _output, $"{file} n={n} float scalars");
            vectors.AssertWithin(FloatRel, FloatAbsScale, _output, $"{file} n={n} float theta");
        }

        [OpenClFact]
        public void Switching_rules_between_steps_agrees_with_the_csharp_law()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_sgdm.ae");
            const int n = 50;
            var ps = NoNoise();
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Params = ps, Context = context });
            var reference = EmittedLaw.Create(unit, n, ps);
            Assert.Equal(reference.RuleIds, law.RuleIds);
            Assert.Equal(reference.SignalNames, law.SignalNames);
            var rng = new Random(21);
            var theta = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
            var expected = (double[])theta.Clone();
            var cmp = new Comparison();
            double loss = 1;
            for (int step = 1; step <= 60; step++)
            {
                if (step % 10 == 0)
                {
                    var id = law.RuleIds[(step / 10) % law.RuleIds.Count];
                    bool on = step % 20 != 0;
                    law.SetRule(id, on);
                    reference.SetRule(id, on);
                }
                var grad = RandomInputs.Gradient(rng, n, step);
                loss = RandomInputs.Loss(rng, double.IsNaN(loss) ? 1 : loss, step);
                law.Step(loss, grad, theta);
                reference.Step(loss, grad, expected);
                for (int s = 0; s < law.SignalNames.Count; s++) cmp.Add(law.SignalNames[s], step, law.ReadSignal(s), reference.ReadSignal(s));
                for (int i = 0; i < n; i++) cmp.Add("theta", step, theta[i], expected[i]);
            }
            cmp.AssertWithin(Rel, AbsScale, _output, "ae_sgdm with rules switched");
            var ex = Assert.Throws<ArgumentException>(() => law.SetRule("AE1", false));
            Assert.StartsWith("law AeSgdm has no rule 'AE1' that can be switched off; valid: brake, AE8, AE2", ex.Message, StringComparison.Ordinal);
        }

        [OpenClFact]
        public void A_compile_time_variant_runs_like_the_rule_switched_off()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_sgdm.ae");
            const int n = 40;
            var ps = NoNoise();
            using var variant = new OpenClLaw(unit, n, new OpenClLawOptions { Params = ps, Context = context, Ablate = new[] { "AE5" }, Name = "NoAE5", WorkGroupSize = 16 });
            using var switched = new OpenClLaw(unit, n, new OpenClLawOptions { Params = ps, Context = context, WorkGroupSize = 16 });
            switched.SetRule("AE5", false);
            Assert.Equal("NoAE5", variant.LawName);
            Assert.DoesNotContain("AE5", variant.RuleIds);
            var rng = new Random(5);
            var a = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
            var b = (double[])a.Clone();
            for (int step = 1; step <= 30; step++)
            {
                var grad = RandomInputs.Gradient(rng, n, step);
                variant.Step(0.5, grad, a);
                switched.Step(0.5, grad, b);
            }
            // the same statements in the same order on the same device: bit-identical
            Assert.Equal(b, a);
            Assert.Equal(switched.ReadSignal("alpha"), variant.ReadSignal("alpha"));
        }

        [OpenClTheory]
        [InlineData(false)]
        [InlineData(true)]
        public void Device_resident_steps_are_the_host_span_steps_bit_for_bit(bool isFloat)
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_adam.ae");
            const int n = 700;
            var ps = new Dictionary<string, double> { ["sigma_min"] = 0.01, ["sigma_max"] = 0.5, ["init_sigma"] = 0.05 };
            var type = isFloat ? OpenClVectorType.Float : OpenClVectorType.Double;
            using var onDevice = new OpenClLaw(unit, n, new OpenClLawOptions { Params = ps, Context = context, VectorType = type, Seed = 4 });
            using var onHost = new OpenClLaw(unit, n, new OpenClLawOptions { Params = ps, Context = context, VectorType = type, Seed = 4 });
            Assert.Same(context, onDevice.Context);
            using var queue = context.CreateQueue();
            var rng = new Random(31);
            var theta = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
            var theta32 = theta.Select(x => (float)x).ToArray();
            int size = isFloat ? sizeof(float) : sizeof(double);
            using var gradBuffer = context.CreateBuffer((long)n * size);
            using var thetaBuffer = context.CreateBuffer((long)n * size);
            if (isFloat) queue.Write<float>(thetaBuffer, theta32); else queue.Write<double>(thetaBuffer, theta);
            for (int step = 1; step <= 12; step++)
            {
                var grad = RandomInputs.Gradient(rng, n, step);
                var grad32 = grad.Select(x => (float)x).ToArray();
                if (isFloat) queue.Write<float>(gradBuffer, grad32); else queue.Write<double>(gradBuffer, grad);
                queue.Finish();
                // the float law's host step takes a float loss; the device step the same value as a double
                onDevice.Step(isFloat ? 1f / step : 1.0 / step, gradBuffer, thetaBuffer);
                if (isFloat) onHost.Step(1f / step, grad32, theta32); else onHost.Step(1.0 / step, grad, theta);
                // a read waits for the step and brings the scalars back; between steps the device keeps everything
                for (int s = 0; s < onHost.SignalNames.Count; s++) Assert.Equal(onHost.ReadSignal(s), onDevice.ReadSignal(s));
            }
            onDevice.Finish();
            if (isFloat)
            {
                var back = new float[n];
                queue.Read<float>(thetaBuffer, back);
                Assert.Equal(theta32, back);
            }
            else
            {
                var back = new double[n];
                queue.Read<double>(thetaBuffer, back);
                Assert.Equal(theta, back);
            }
            // the host-span step still uses the law's own buffers after device-resident ones
            var again = (double[])theta.Clone();
            if (!isFloat)
            {
                onDevice.Step(0.5, new double[n], again);
                onHost.Step(0.5, new double[n], theta);
                Assert.Equal(theta, again);
            }
            using var small = context.CreateBuffer(4);
            Assert.Throws<ArgumentException>(() => onDevice.Step(1.0, small, thetaBuffer));
        }

        /// <summary>cosine is held to [-1, 1] where rounding takes its quotient past (TestLaws.HeldCosine): exactly 1 and -1, as on the CPU.</summary>
        [OpenClFact]
        public void Cosine_is_held_to_its_range()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(AE.Tests.Shared.TestLaws.HeldCosine);
            foreach (int n in AE.Tests.Shared.TestLaws.CosinePastOne(1000))
            {
                using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, WorkGroupSize = 8 });
                law.Step(1.0, Enumerable.Repeat(1.0, n).ToArray(), new double[n]);
                Assert.Equal((1.0, -1.0), (law.ReadSignal("same"), law.ReadSignal("opposite")));
            }
        }

        /// <summary>logsumexp, written out of max and sum: the interpreter's value within the device's exp and log, finite where exp alone overflows.</summary>
        [OpenClFact]
        public void Logsumexp_is_the_interpreters()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText("law Lse {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal s: real;\n"
                + "  update { s = logsumexp(1000 * grad - loss); theta' = theta - 0.01 * grad; }\n}\n");
            const int n = 777;
            var grad = Enumerable.Range(0, n).Select(i => Math.Sin(0.37 * i)).ToArray();
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, WorkGroupSize = 8 });
            law.Step(0.5, grad, new double[n]);
            var interp = new AE.Dsl.Eval.Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, initialState: new Dictionary<string, double[]> { ["theta"] = new double[n] });
            interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { 0.5 }, ["grad"] = grad });
            double want = interp.Scalar("s"), got = law.ReadSignal("s");
            Assert.True(double.IsFinite(want) && Math.Abs(got - want) <= 1e-12 * Math.Abs(want), $"{got:R} against {want:R}");
        }

        /// <summary>sign(NaN) is NaN, as AeMath.Sign gives on the CPU: the kernel's helper gave 0, so a law that branched on it went its own way on OpenCL.</summary>
        [OpenClFact]
        public void Sign_of_NaN_is_NaN()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText("law Signs {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal s: real;\n"
                + "  update { s = sign(loss); theta' = theta + sign(grad); }\n}\n");
            using (var law = new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context }))
            {
                var theta = new double[3];
                law.Step(double.NaN, new[] { double.NaN, -2.0, 0.0 }, theta);
                Assert.True(double.IsNaN(law.ReadSignal("s")));
                Assert.True(double.IsNaN(theta[0]));
                Assert.Equal(new[] { -1.0, 0.0 }, theta.Skip(1));
            }
            using (var law32 = new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, VectorType = OpenClVectorType.Float }))
            {
                var theta = new float[3];
                law32.Step(float.NaN, new[] { float.NaN, -2f, 0f }, theta);
                Assert.True(double.IsNaN(law32.ReadSignal("s")));
                Assert.True(float.IsNaN(theta[0]));
                Assert.Equal(new[] { -1f, 0f }, theta.Skip(1));
            }
        }

        [OpenClFact]
        public void Two_instances_with_the_same_inputs_are_bit_identical()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_adam.ae");
            const int n = 1500;
            using var first = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context });
            using var second = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context });
            Assert.Equal(first.WorkGroupSize, second.WorkGroupSize);
            var rng = new Random(8);
            var a = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
            var b = (double[])a.Clone();
            for (int step = 1; step <= 20; step++)
            {
                var grad = RandomInputs.Gradient(rng, n, step);
                first.Step(1.0 / step, grad, a);
                second.Step(1.0 / step, grad, b);
                for (int s = 0; s < first.SignalNames.Count; s++) Assert.Equal(first.ReadSignal(s), second.ReadSignal(s));
            }
            Assert.Equal(a, b);
        }

        [OpenClFact]
        public void Steps_allocate_nothing_on_the_host()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_sgdm.ae");
            const int n = 300;
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context });
            using var law32 = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, VectorType = OpenClVectorType.Float });
            var grad = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
            var theta = new double[n];
            var grad32 = grad.Select(x => (float)x).ToArray();
            var theta32 = new float[n];
            for (int i = 0; i < 20; i++) { law.Step(1.0, grad, theta); law32.Step(1f, grad32, theta32); }
            Assert.Equal(0, Allocated.LeastOfThree(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 500; i++)
                {
                    law.Step(1.0 / (i + 1), grad, theta);
                    law32.Step(1f / (i + 1), grad32, theta32);
                    _ = law.ReadSignal(0);
                }
                return GC.GetAllocatedBytesForCurrentThread() - before;
            }));
        }

        [OpenClFact]
        public void Params_are_validated_like_the_csharp_constructor()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_sgdm.ae");
            var range = Assert.Throws<ParamOutOfRangeException>(() => new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, Params = new Dictionary<string, double> { ["sigma_min"] = -1 } }));
            Assert.StartsWith("param 'sigma_min' must lie in [0, 1]", range.Message, StringComparison.Ordinal);
            var unknown = Assert.Throws<ArgumentException>(() => new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, Params = new Dictionary<string, double> { ["nope"] = 1 } }));
            Assert.StartsWith("'nope' is not a param of AeSgdm; its params: beta_mu, ", unknown.Message, StringComparison.Ordinal);
            var whole = Assert.Throws<ArgumentException>(() => new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, Params = new Dictionary<string, double> { ["auto_gamma_warmup"] = 2.5 } }));
            Assert.Contains("auto_gamma_warmup", whole.Message, StringComparison.Ordinal);

            using var law = new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, Params = new Dictionary<string, double> { ["init_alpha"] = 0.05 } });
            Assert.Equal(0.05, law.ReadSignal("alpha"));
            var length = Assert.Throws<ArgumentException>(() => law.Step(1.0, new double[2], new double[3]));
            Assert.StartsWith("'grad' has 2 elements; this law was built for 3", length.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => law.Step(1f, new float[3], new float[3]));
        }

        /// <summary>
        /// The checks the C# constructor makes again with the given values that read params (a coefficient's bounds finite, not empty and
        /// holding its initial value, a filter's rate in [0, 1), a require), made by the OpenCL law too, in the same words.
        /// </summary>
        [OpenClFact]
        public void Derived_checks_reject_what_the_csharp_constructor_rejects_in_its_words()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(@"law Derived {
  dim n;
  param b = 0.5;
  param lo = 0.1, hi = 0.2;
  param k: int = 2;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff alpha in [lo, hi] = 0.15;
  signal s: real = 0;
  require positive: k > 0;
  fixed rule M { s = ema(b, loss); }
  update { theta' = theta - alpha * grad * tanh(s); }
}");
            foreach (var (name, value, message) in new[]
            {
                ("b", 1.5, "the rate b of a filter must lie in [0, 1)"),
                ("lo", 0.3, "the bounds of 'alpha' are empty: [0.3, 0.2]"),
                ("hi", double.PositiveInfinity, "the bounds of coefficient 'alpha' must be finite (axiom A4): [0.1, inf]"),
                ("lo", double.NaN, "the bounds of coefficient 'alpha' must be finite (axiom A4): [NaN, 0.2]"),
                ("hi", 0.12, "the initial value of 'alpha' must lie in its bounds [0.1, 0.12]"),
                ("k", 0, "require 'positive' (k > 0) does not hold with the given params"),
            })
            {
                var given = new Dictionary<string, double> { [name] = value };
                var csharp = Assert.Throws<System.Reflection.TargetInvocationException>(() => EmittedLaw.Create(unit, 3, given)).InnerException;
                var device = Assert.Throws<ParamOutOfRangeException>(() => new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, Params = given }));
                Assert.StartsWith(message, csharp!.Message, StringComparison.Ordinal);
                Assert.Equal(csharp.Message, device.Message);
                Assert.Equal(((ParamOutOfRangeException)csharp).Param, device.Param);
            }
            using var law = new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, Params = new Dictionary<string, double> { ["b"] = 0.9, ["hi"] = 0.3 } });
        }

        /// <summary>
        /// Checks that read the run-time dim (a coefficient's bounds, a require over a derived dim, a filter's rate, a require
        /// that reads a param too) refuse the same sizes as the C# law's constructor, with the same exception and words.
        /// </summary>
        [OpenClFact]
        public void Checks_that_read_the_run_time_dim_refuse_what_the_csharp_constructor_refuses()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(Laws.SizedLaw);
            var none = new Dictionary<string, double>();
            foreach (var n in new[] { 4, 5, 6, 7, 8 })
            {
                var csharp = Assert.Throws<System.Reflection.TargetInvocationException>(() => EmittedLaw.Create(unit, n, none)).InnerException!;
                var device = Assert.Throws(csharp.GetType(), () => new OpenClLaw(unit, n, new OpenClLawOptions { Context = context }));
                Assert.Equal(csharp.Message, device.Message);
                Assert.Equal(((ArgumentException)csharp).ParamName, ((ArgumentException)device).ParamName);
            }
            using var law = new OpenClLaw(unit, 9, new OpenClLawOptions { Context = context });
        }

        /// <summary>
        /// A param outside its declared range is the C# constructor's <see cref="ParamOutOfRangeException"/>: the same
        /// message, param, range (its ends evaluated, a range that reads another param included) and value.
        /// </summary>
        [OpenClFact]
        public void A_param_outside_its_range_is_the_csharp_laws_ParamOutOfRangeException()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(@"law Ranged {
  dim n;
  param lo = 0.1;
  param b in [0, 1) = 0.5;
  param k: int in [1, 10] = 2;
  param c in (lo, 1] = 0.15;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  update { theta' = theta - b * c * k * grad + 0 * loss; }
}");
            foreach (var (name, value) in new[] { ("b", 1.0), ("b", -0.5), ("k", 11.0), ("k", 0.0), ("c", 0.1), ("c", double.NaN) })
            {
                var given = new Dictionary<string, double> { [name] = value };
                var csharp = (ParamOutOfRangeException)Assert.Throws<System.Reflection.TargetInvocationException>(() => EmittedLaw.Create(unit, 3, given)).InnerException!;
                var device = Assert.Throws<ParamOutOfRangeException>(() => new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, Params = given }));
                Assert.StartsWith($"param '{name}' must lie in ", csharp.Message, StringComparison.Ordinal);
                Assert.Equal(csharp.Message, device.Message);
                Assert.Equal(csharp.Param, device.Param);
                Assert.Equal(csharp.Range, device.Range);
                Assert.Equal(csharp.Value, device.Value);
            }
        }

        /// <summary>Options the device law cannot mean: a negative work-group size (0 is "choose"), an int param that is not finite.</summary>
        [OpenClFact]
        public void A_negative_work_group_size_and_an_infinite_int_param_are_refused()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_sgdm.ae");
            var size = Assert.Throws<ArgumentOutOfRangeException>(() => new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, WorkGroupSize = -4 }));
            Assert.StartsWith("the work-group size must be a power of two, or 0 to choose one, not -4", size.Message, StringComparison.Ordinal);
            foreach (var v in new[] { double.PositiveInfinity, double.NegativeInfinity })
            {
                var whole = Assert.Throws<ArgumentException>(() => new OpenClLaw(unit, 3, new OpenClLawOptions { Context = context, Params = new Dictionary<string, double> { ["auto_gamma_warmup"] = v } }));
                Assert.StartsWith($"param 'auto_gamma_warmup' is an int; {ParamOutOfRangeException.Number(v)} is not a whole number", whole.Message, StringComparison.Ordinal);
            }
        }

        /// <summary>
        /// A device-resident step checks its buffers at every step: a disposed one (never bound, or bound by the step before)
        /// is an ObjectDisposedException naming it, not a released handle given to the driver (PoCL aborts the process);
        /// a buffer of another element type is refused even where its bytes would do.
        /// </summary>
        [OpenClFact]
        public void A_device_step_refuses_a_disposed_buffer_and_one_of_another_element_type()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_sgdm.ae");
            const int n = 16;
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context });
            using var grad = context.CreateBuffer<double>(n);
            var theta = context.CreateBuffer<double>(n);
            law.Step(1.0, grad, theta);
            law.Finish();
            theta.Dispose();
            Assert.True(theta.IsDisposed);
            var bound = Assert.Throws<ObjectDisposedException>(() => law.Step(1.0, grad, theta));
            Assert.Equal("theta", bound.ObjectName);
            var fresh = context.CreateBuffer<double>(n);
            fresh.Dispose();
            Assert.Equal("grad", Assert.Throws<ObjectDisposedException>(() => law.Step(1.0, fresh, grad)).ObjectName);

            using var floats = context.CreateBuffer<float>(2 * n);   // as many bytes as n doubles
            using var live = context.CreateBuffer<double>(n);
            var type = Assert.Throws<ArgumentException>(() => law.Step(1.0, floats, live));
            Assert.StartsWith("'grad' is a buffer of Single; this law steps Double vectors", type.Message, StringComparison.Ordinal);
            law.Step(1.0, grad, live);   // a live buffer of the law's type after the refusals
            law.Finish();
        }

        [OpenClFact]
        public void A_disposed_law_refuses_every_call()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.Unit("ae_sgdm.ae");
            var law = new OpenClLaw(unit, 4, new OpenClLawOptions { Context = context });
            law.Step(1.0, new double[4], new double[4]);
            _ = law.ReadSignal(0);   // the readable scalars are fresh: the host's copy could answer without the device
            law.Dispose();
            using var buffer = context.CreateBuffer<double>(4);
            Assert.Throws<ObjectDisposedException>(() => law.ReadSignal(0));
            Assert.Throws<ObjectDisposedException>(() => law.ReadSignal("alpha"));
            Assert.Throws<ObjectDisposedException>(() => law.SetRule("AE5", false));
            Assert.Throws<ObjectDisposedException>(() => law.Step(1.0, new double[4], new double[4]));
            Assert.Throws<ObjectDisposedException>(() => law.Step(1.0, buffer, buffer));
            Assert.Throws<ObjectDisposedException>(() => law.ReadVector("m", new double[4]));
        }

        /// <summary>Switching a rule writes one host slot, as the C# law's SetRule flips a flag: no allocation.</summary>
        [OpenClFact]
        public void SetRule_allocates_nothing()
        {
            var context = OpenClAvailability.Context();
            using var law = new OpenClLaw(Laws.Unit("ae_sgdm.ae"), 4, new OpenClLawOptions { Context = context });
            law.SetRule("AE5", false);
            law.SetRule("AE5", true);
            Assert.Equal(0, Allocated.LeastOfThree(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 1000; i++) law.SetRule("AE5", i % 2 == 0);
                return GC.GetAllocatedBytesForCurrentThread() - before;
            }));
        }

        /// <summary>OpenCL C's INFINITY is a float: beside a double in fmod or pow the call was ambiguous and the program did not build.</summary>
        [OpenClFact]
        public void Infinity_beside_a_double_in_mod_and_pow_builds_and_runs_like_the_interpreter()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(@"law Infinite {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff alpha in [1e-6, 1] = 0.05;
  signal s: real = 0;
  fixed rule M { s = finite_or(inf % alpha, 2) + finite_or(-inf % alpha, 3) + alpha ^ inf + finite_or(inf ^ alpha, 4) + finite_or(alpha % inf, 5); }
  update { theta' = theta - alpha * grad * s + 0 * loss; }
}");
            foreach (var type in new[] { OpenClVectorType.Double, OpenClVectorType.Float })
            {
                using var law = new OpenClLaw(unit, 5, new OpenClLawOptions { Context = context, VectorType = type });
                if (type == OpenClVectorType.Double) AssertRunsLikeInterpreter(law, unit, 5, new Random(7), 4, 1.0, (_, loss) => loss, "inf in fmod and pow");
            }
        }

        /// <summary>
        /// A scalar filter inside a vector statement or a reduction's argument updates once per step, in a scalar
        /// kernel before the pass, under the conditions of its statement (when, the branch of a '?:',
        /// the right of '&amp;&amp;'), as the interpreter runs it; per element it would see n updates a step.
        /// </summary>
        [OpenClFact]
        public void Scalar_filters_in_vector_statements_update_once_per_step()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(@"law Filtered {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state m: real[n] = 0, u: real[n] = 0, v: real[n] = 0;
  acc g: real[n] = 0;
  signal s = 0, t = 0;
  rule smooth_it {
    m' = 0.9 * m + lp(0.5, loss) * grad;
    when loss > 0 { g += prev(loss, 1) * grad; }
  }
  rule measure {
    s = sum(grad * ema(0.5, loss));
    t = loss > 0 ? mean(grad + lp(0.7, loss)) : 0;
  }
  update {
    u' = loss > 0 ? u + ema(0.9, loss) * grad : u - lp(0.8, loss) * grad;
    v' = (prev(loss, 0) > 0 && ema(0.5, loss) > 0.1) ? v + grad : v - latch(loss < 0, loss, 1) * grad;
    theta' = theta - 0.01 * ema(0.95, loss) * grad - 0.001 * (m + g + u + v) - 0.0001 * (s + t);
  }
}");
            const int n = 37;
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, WorkGroupSize = 8 });
            // Every filter updates in a scalar kernel; no pass kernel (one work item per element) updates one.
            var kernels = law.Program.Source.Split("__kernel void ").Skip(1).ToList();
            Assert.Contains(kernels, k => k.StartsWith("ae_scalar_", StringComparison.Ordinal) && k.Contains("ae_ema(", StringComparison.Ordinal));
            foreach (var pass in kernels.Where(k => k.StartsWith("ae_pass_", StringComparison.Ordinal)))
                foreach (var filter in new[] { "ae_ema(", "ae_lp(", "ae_prev(", "ae_latch(" })
                    Assert.DoesNotContain(filter, pass, StringComparison.Ordinal);
            var rng = new Random(31);
            AssertRunsLikeInterpreter(law, unit, n, rng, 40, 0.3, (step, loss) => step % 7 == 0 ? -loss : loss * 0.9 + 0.1 * (rng.NextDouble() - 0.4),
                "scalar filters in vector statements");
        }

        /// <summary>
        /// Steps <paramref name="law"/> and the interpreter side by side from one random theta, with fresh random gradients and the
        /// loss <paramref name="nextLoss"/> gives (of the step and the last loss, after each gradient is drawn); every signal and
        /// theta within the file's tolerance.
        /// </summary>
        private void AssertRunsLikeInterpreter(OpenClLaw law, IrUnit unit, int n, Random rng, int steps, double loss, Func<int, double, double> nextLoss, string what)
        {
            var theta0 = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, null, new Dictionary<string, double[]> { ["theta"] = theta0 });
            var theta = (double[])theta0.Clone();
            var cmp = new Comparison();
            for (int step = 1; step <= steps; step++)
            {
                var grad = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
                loss = nextLoss(step, loss);
                law.Step(loss, grad, theta);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                for (int s = 0; s < law.SignalNames.Count; s++) cmp.Add(law.SignalNames[s], step, law.ReadSignal(s), interp.Scalar(law.SignalNames[s]));
                var expected = interp.Get("theta");
                for (int i = 0; i < n; i++) cmp.Add("theta", step, theta[i], expected[i]);
            }
            cmp.AssertWithin(Rel, AbsScale, _output, what);
        }

        /// <summary>A reduction repeated across statements where it has the same value is computed once, here as in C#: the values are the interpreter's.</summary>
        [OpenClFact]
        public void A_reduction_repeated_across_statements_runs_like_the_interpreter()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(TestLaws.RepeatedReduction);
            const int n = 37;
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, WorkGroupSize = 8 });
            AssertRunsLikeInterpreter(law, unit, n, new Random(32), 10, 1.0, (_, loss) => loss, "a reduction repeated across statements");
        }

        /// <summary>
        /// One pass over a vector of a fixed dim (w = 3) and one of the run-time dim n: the pass runs max(n, 3) work items,
        /// which OpenCL C spells with both as long (it has no max(long, int)), and the values are the interpreter's.
        /// </summary>
        [OpenClFact]
        public void A_pass_over_a_fixed_and_a_run_time_dim_builds_and_runs_like_the_interpreter()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(@"law MixedDims {
  dim n;
  dim w = 3;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state f: real[w] = 1;
  signal s: real;
  update {
    s = sum(f) + sum(grad) + 0 * loss;
    f' = 0.5 * f + 0.1;
    theta' = theta - 0.01 * grad * s;
  }
}");
            foreach (int n in new[] { 2, 37 })
            {
                using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, WorkGroupSize = 8 });
                AssertRunsLikeInterpreter(law, unit, n, new Random(33), 10, 1.0, (_, loss) => loss, "a pass over dims w = 3 and n = " + n);
            }
        }

        /// <summary>A bool[n] param or state is stored as 1 and 0 and read back as a bool, as a bool slot is; a bool vector value is an int.</summary>
        [OpenClFact]
        public void Bool_vectors_run_like_the_interpreter()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(@"law MaskKept {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  param allow: bool[n] = true;
  state seen: bool[n] = false;
  signal up: bool[n];
  update {
    up = grad > 0;
    seen' = up || (allow && seen);
    theta' = seen ? theta - 0.01 * grad * loss : theta;
  }
}");
            const int n = 21;
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, WorkGroupSize = 8 });
            var rng = new Random(17);
            var theta0 = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, null, new Dictionary<string, double[]> { ["theta"] = theta0 });
            var theta = (double[])theta0.Clone();
            for (int step = 1; step <= 20; step++)
            {
                var grad = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
                double loss = rng.NextDouble() - 0.3;
                law.Step(loss, grad, theta);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                // no transcendental function and no sum: the same operations in the same order, bit for bit
                Assert.Equal(interp.Get("theta"), theta);
            }
            var seen = new double[n];
            law.ReadVector("seen", seen);
            Assert.Equal(interp.Get("seen"), seen);
        }

        [OpenClFact]
        public void Noise_draws_are_the_cpus_draws_bit_for_bit()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(RandomInputs.NoisyLaw);
            const int n = 20001;
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, Seed = 42 });
            var theta = new double[n];
            law.Step(0, new double[n], theta);
            // sites in program order: the scalar draw is site 1, the vector draw site 2 (site 3 adds 0)
            Assert.Equal(AE.Runtime.CounterNoise.Gaussian(42, 1, 1, 0), law.ReadSignal("z"));
            for (int i = 0; i < n; i++) Assert.Equal(AE.Runtime.CounterNoise.Gaussian(42, 1, 2, i), theta[i]);

            // a step later, fresh draws: the interpreter's theta after two steps, bit for bit
            var fresh = new double[n];
            law.Step(0, new double[n], fresh);
            for (int i = 0; i < n; i += 97) Assert.Equal(AE.Runtime.CounterNoise.Gaussian(42, 2, 2, i), fresh[i]);
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, seed: 42);
            var inputs = new Dictionary<string, double[]> { ["loss"] = new[] { 0.0 }, ["grad"] = new double[n] };
            interp.Step(inputs);
            var afterOne = (double[])interp.Get("theta").Clone();
            Assert.Equal(afterOne, theta);
            interp.Step(inputs);
            using (var second = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, Seed = 42 }))
            {
                var t = new double[n];
                second.Step(0, new double[n], t);
                second.Step(0, new double[n], t);
                Assert.Equal(interp.Get("theta"), t);
            }
            using var twin = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, Seed = 42 });
            var twinTheta = new double[n];
            twin.Step(0, new double[n], twinTheta);
            Assert.Equal(theta, twinTheta);
        }

        [OpenClFact]
        public void A_scalar_draw_inside_a_vector_statement_is_one_draw_for_every_element()
        {
            var context = OpenClAvailability.Context();
            var unit = Laws.FromText(@"law Shared {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  update { theta' = theta + noise(); }
}");
            const int n = 1000;
            using var law = new OpenClLaw(unit, n, new OpenClLawOptions { Context = context, Seed = 7 });
            var theta = new double[n];
            law.Step(0, new double[n], theta);
            Assert.All(theta, x => Assert.Equal(AE.Runtime.CounterNoise.Gaussian(7, 1, 1, 0), x));
        }
    }
}
