using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Kernels.Tests;
using ILGPU;
using ILGPU.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace AE.Ilgpu.Tests
{
    /// <summary>
    /// The ILGPU law on ILGPU's CPU accelerator against the reference interpreter (double) and the C#
    /// backend (float), on the random steps of the OpenCL host's tests (NaN and infinite gradient elements,
    /// the emergency brake, a NaN loss; odd seeds draw noise every step).
    ///
    /// On the CPU accelerator every operation is .NET's (Math.Exp, Math.Tanh, ... are the same calls the
    /// interpreter makes), so the one difference is the order of the reductions: with group size 1 every
    /// group holds one element and the scalar kernel adds the partials in element order, left to right from
    /// 0, as the interpreter does, and the steps are the interpreter's bit for bit. With larger groups a sum
    /// adds in a tree per group, then over groups: the OpenCL host's bound holds (|a - b| &lt;= 1e-11 |b| +
    /// 1e-14 s, s the largest |b| of the quantity over the run; see OpenClLawTests for why).
    /// </summary>
    public class IlgpuLawTests
    {
        private readonly ITestOutputHelper _output;

        public IlgpuLawTests(ITestOutputHelper output) => _output = output;

        private const double Rel = RandomInputs.Rel, AbsScale = RandomInputs.AbsScale;
        private const double FloatRel = RandomInputs.FloatRel, FloatAbsScale = RandomInputs.FloatAbsScale;

        private static Dictionary<string, double> Settings(bool noise) => noise
            ? new() { ["sigma_min"] = 0.01, ["sigma_max"] = 0.5, ["init_sigma"] = 0.05 }
            : new() { ["sigma_max"] = 0 };

        /// <summary>The law and the interpreter side by side for 40 random steps (odd seeds draw noise), into <paramref name="cmp"/>.</summary>
        private static void RunAgainstInterpreter(IrUnit unit, int n, int seed, int groupSize, Comparison cmp, Action<IlgpuLaw>? check = null)
        {
            var ps = Settings(noise: seed % 2 == 1);
            using var law = new IlgpuLaw(unit, n, new IlgpuLawOptions { Params = ps, Seed = (ulong)seed, GroupSize = groupSize, Accelerator = Cpu.Accelerator });
            RandomInputs.AgainstInterpreter(unit, n, seed, ps, law, (name, values) => law.ReadVector(name, values), cmp, steps: 40);
            check?.Invoke(law);
        }

        [Theory]
        [InlineData("ae_sgdm.ae", 1, 1)]
        [InlineData("ae_sgdm.ae", 7, 2)]
        [InlineData("ae_sgdm.ae", 100, 3)]
        [InlineData("ae_adam.ae", 1, 4)]
        [InlineData("ae_adam.ae", 33, 5)]
        [InlineData("ae_adam.ae", 100, 6)]
        public void Double_steps_with_group_size_1_are_the_interpreters_bit_for_bit(string file, int n, int seed)
        {
            var cmp = new Comparison();
            RunAgainstInterpreter(Laws.Unit(file), n, seed, groupSize: 1, cmp, law => Assert.Equal(1, law.GroupSize));
            cmp.AssertWithin(0, 0, _output, $"{file} n={n} group size 1{(seed % 2 == 1 ? " with noise" : "")}");
        }

        [Theory]
        [InlineData("ae_sgdm.ae", 2, 7, 0)]
        [InlineData("ae_sgdm.ae", 64, 8, 4)]
        [InlineData("ae_sgdm.ae", 257, 9, 0)]
        [InlineData("ae_adam.ae", 100, 10, 8)]
        [InlineData("ae_adam.ae", 1000, 11, 0)]
        public void Double_steps_in_larger_groups_agree_with_the_interpreter_within_the_device_bound(string file, int n, int seed, int groupSize)
        {
            var cmp = new Comparison();
            int used = 0;
            RunAgainstInterpreter(Laws.Unit(file), n, seed, groupSize, cmp, law => used = law.GroupSize);
            if (groupSize > 0) Assert.Equal(groupSize, used);
            cmp.AssertWithin(Rel, AbsScale, _output, $"{file} n={n} group size {used}");
        }

        [Theory]
        [InlineData("ae_sgdm.ae", 1, 12)]
        [InlineData("ae_sgdm.ae", 300, 13)]
        [InlineData("ae_adam.ae", 33, 14)]
        public void Float_steps_agree_with_the_csharp_float_step(string file, int n, int seed)
        {
            var unit = Laws.Unit(file);
            var ps = Settings(noise: false);
            using var law = new IlgpuLaw(unit, n, new IlgpuLawOptions { Params = ps, Float = true, Accelerator = Cpu.Accelerator });
            var scalars = new Comparison();
            var vectors = new Comparison();
            RandomInputs.AgainstCSharpFloat(n, seed, law, EmittedLaw.Create(unit, n, ps), scalars, vectors, steps: 40);
            scalars.AssertWithin(FloatRel, AbsScale, _output, $"{file} n={n} float scalars");
            vectors.AssertWithin(FloatRel, FloatAbsScale, _output, $"{file} n={n} float theta");
        }

        /// <summary>cosine is held to [-1, 1] where rounding takes its quotient past (TestLaws.HeldCosine): exactly 1 and -1, as on the CPU.</summary>
        [Theory]
        [InlineData(1)]
        [InlineData(8)]
        public void Cosine_is_held_to_its_range(int groupSize)
        {
            var unit = Laws.FromText(AE.Tests.Shared.TestLaws.HeldCosine);
            foreach (int n in AE.Tests.Shared.TestLaws.CosinePastOne(1000))
            {
                using var law = new IlgpuLaw(unit, n, new IlgpuLawOptions { GroupSize = groupSize, Accelerator = Cpu.Accelerator });
                law.Step(1.0, Enumerable.Repeat(1.0, n).ToArray(), new double[n]);
                var names = law.SignalNames.ToList();
                Assert.Equal((1.0, -1.0), (law.ReadSignal(names.IndexOf("same")), law.ReadSignal(names.IndexOf("opposite"))));
            }
        }

        [Fact]
        public void The_device_step_takes_device_views_only()
        {
            // By construction: the device-resident overloads take the loss and two views of accelerator memory,
            // nothing a host array could be passed as, so a step has no gradient or theta to copy.
            var steps = typeof(IlgpuLaw).GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.Name == "Step").ToList();
            var device = steps.Where(m => m.GetParameters().Skip(1).All(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(ArrayView1D<,>))).ToList();
            Assert.Equal(2, device.Count);
            foreach (var m in device)
            {
                var ps = m.GetParameters();
                Assert.Equal(3, ps.Length);
                Assert.True(ps[0].ParameterType.IsPrimitive);
                Assert.All(ps.Skip(1), p => Assert.Equal(typeof(Stride1D.Dense), p.ParameterType.GetGenericArguments()[1]));
            }
        }

        [Fact]
        public void Device_view_steps_are_the_host_span_steps_bit_for_bit()
        {
            var unit = Laws.Unit("ae_adam.ae");
            const int n = 500;
            var accelerator = Cpu.Accelerator;
            var ps = Settings(noise: true);
            using var onDevice = new IlgpuLaw(unit, n, new IlgpuLawOptions { Params = ps, Seed = 3, Accelerator = accelerator });
            using var onHost = new IlgpuLaw(unit, n, new IlgpuLawOptions { Params = ps, Seed = 3, Accelerator = accelerator });
            var rng = new Random(21);
            var theta = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
            using var thetaBuffer = accelerator.Allocate1D(theta);
            using var gradBuffer = accelerator.Allocate1D<double>(n);
            for (int step = 1; step <= 15; step++)
            {
                var grad = RandomInputs.Gradient(rng, n, step);
                gradBuffer.CopyFromCPU(grad);
                onDevice.Step(1.0 / step, gradBuffer.View, thetaBuffer.View);
                onHost.Step(1.0 / step, grad, theta);
            }
            Assert.Equal(15, onDevice.StepCount);
            Assert.Equal(theta, thetaBuffer.GetAsArray1D());
            for (int s = 0; s < onHost.SignalNames.Count; s++) Assert.Equal(onHost.ReadSignal(s), onDevice.ReadSignal(s));
            var hostM = new double[n];
            var deviceM = new double[n];
            onHost.ReadVector("m", hostM);
            onDevice.ReadVector("m", deviceM);
            Assert.Equal(hostM, deviceM);
            Assert.NotEqual(new double[n], deviceM);
        }

        [Fact]
        public void Noise_draws_are_counter_noise_bit_for_bit()
        {
            var unit = Laws.FromText(RandomInputs.NoisyLaw);
            const int n = 3001;
            using var law = new IlgpuLaw(unit, n, new IlgpuLawOptions { Seed = 42, Accelerator = Cpu.Accelerator });
            var theta = new double[n];
            law.Step(0, new double[n], theta);
            // sites in program order: the scalar draw is site 1, the vector draw site 2 (site 3 adds 0)
            Assert.Equal(AE.Runtime.CounterNoise.Gaussian(42, 1, 1, 0), law.ReadSignal("z"));
            for (int i = 0; i < n; i++) Assert.Equal(AE.Runtime.CounterNoise.Gaussian(42, 1, 2, i), theta[i]);
            var fresh = new double[n];
            law.Step(0, new double[n], fresh);
            for (int i = 0; i < n; i++) Assert.Equal(AE.Runtime.CounterNoise.Gaussian(42, 2, 2, i), fresh[i]);
            Assert.Equal(AE.Runtime.CounterNoise.Gaussian(42, 2, 1, 0), law.ReadSignal("z"));
        }

        [Fact]
        public void A_compile_time_variant_runs_like_the_rule_switched_off()
        {
            var unit = Laws.Unit("ae_sgdm.ae");
            const int n = 40;
            using var switched = new IlgpuLaw(unit, n, new IlgpuLawOptions { Accelerator = Cpu.Accelerator });
            using var variant = new IlgpuLaw(unit, n, new IlgpuLawOptions { Accelerator = Cpu.Accelerator, Ablate = new[] { "AE5" }, Name = "AeSgdmNoResonance" });
            using var on = new IlgpuLaw(unit, n, new IlgpuLawOptions { Accelerator = Cpu.Accelerator });
            switched.SetRule("AE5", false);
            Assert.Equal("AeSgdmNoResonance", variant.LawName);
            Assert.DoesNotContain("AE5", variant.RuleIds);
            var rng = new Random(5);
            var a = Enumerable.Range(0, n).Select(_ => RandomInputs.Normal(rng)).ToArray();
            var b = (double[])a.Clone();
            var c = (double[])a.Clone();
            for (int step = 1; step <= 40; step++)
            {
                // a gradient that oscillates, so the resonance clamp has something to do
                var grad = a.Select((x, i) => (step % 2 == 0 ? 1 : -1) * (1 + 0.01 * i)).ToArray();
                switched.Step(1.0 / step, grad, a);
                variant.Step(1.0 / step, grad, b);
                on.Step(1.0 / step, grad, c);
            }
            Assert.Equal(b, a);
            Assert.Equal(variant.ReadSignal("alpha"), switched.ReadSignal("alpha"));
            Assert.NotEqual(c, a);
            var ex = Assert.Throws<ArgumentException>(() => switched.SetRule("AE99", false));
            Assert.StartsWith("law AeSgdm has no rule 'AE99' that can be switched off; valid: ", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Wrong_lengths_and_precisions_are_refused_like_the_csharp_law()
        {
            var unit = Laws.Unit("ae_sgdm.ae");
            using var law = new IlgpuLaw(unit, 10, new IlgpuLawOptions { Accelerator = Cpu.Accelerator });
            var ex = Assert.Throws<ArgumentException>(() => law.Step(1.0, new double[9], new double[10]));
            Assert.StartsWith("'grad' has 9 elements; this law was built for 10", ex.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => law.Step(1f, new float[10], new float[10]));
            var range = Assert.Throws<AE.Runtime.ParamOutOfRangeException>(() => new IlgpuLaw(unit, 10, new IlgpuLawOptions { Accelerator = Cpu.Accelerator, Params = new Dictionary<string, double> { ["sigma_min"] = -1 } }));
            Assert.StartsWith("param 'sigma_min' must lie in [0, 1]", range.Message, StringComparison.Ordinal);
            Assert.Equal(("sigma_min", "[0, 1]", -1.0), (range.Param, range.Range, range.Value));
            var size = Assert.Throws<ArgumentOutOfRangeException>(() => new IlgpuLaw(unit, 10, new IlgpuLawOptions { Accelerator = Cpu.Accelerator, GroupSize = -2 }));
            Assert.StartsWith("the group size must be a power of two, or 0 to choose one, not -2", size.Message, StringComparison.Ordinal);
        }

        /// <summary>Checks that read the run-time dim refuse the same sizes as the C# law's constructor, with the same exception and words.</summary>
        [Fact]
        public void Checks_that_read_the_run_time_dim_refuse_what_the_csharp_constructor_refuses()
        {
            var unit = Laws.FromText(Laws.SizedLaw);
            var none = new Dictionary<string, double>();
            foreach (var n in new[] { 4, 5, 6, 7, 8 })
            {
                var csharp = Assert.Throws<TargetInvocationException>(() => EmittedLaw.Create(unit, n, none)).InnerException!;
                var device = Assert.Throws(csharp.GetType(), () => new IlgpuLaw(unit, n, new IlgpuLawOptions { Accelerator = Cpu.Accelerator }));
                Assert.Equal(csharp.Message, device.Message);
                Assert.Equal(((ArgumentException)csharp).ParamName, ((ArgumentException)device).ParamName);
            }
            using var law = new IlgpuLaw(unit, 9, new IlgpuLawOptions { Accelerator = Cpu.Accelerator });
        }

        /// <summary>Every call of a disposed law is an ObjectDisposedException, before it touches the accelerator (a span step allocated its copies first).</summary>
        [Fact]
        public void A_disposed_law_refuses_every_call()
        {
            var unit = Laws.Unit("ae_sgdm.ae");
            using var views = Cpu.Accelerator.Allocate1D<double>(4);
            var law = new IlgpuLaw(unit, 4, new IlgpuLawOptions { Accelerator = Cpu.Accelerator });
            law.Dispose();
            Assert.Throws<ObjectDisposedException>(() => law.Step(1.0, new double[4], new double[4]));
            Assert.Throws<ObjectDisposedException>(() => law.Step(1.0, views.View, views.View));
            Assert.Throws<ObjectDisposedException>(() => law.ReadSignal(0));
            Assert.Throws<ObjectDisposedException>(() => law.ReadSignal("alpha"));
            Assert.Throws<ObjectDisposedException>(() => law.SetRule("AE5", false));
            Assert.Throws<ObjectDisposedException>(() => law.ReadVector("m", new double[4]));
            var single = new IlgpuLaw(unit, 4, new IlgpuLawOptions { Accelerator = Cpu.Accelerator, Float = true });
            single.Dispose();
            Assert.Throws<ObjectDisposedException>(() => single.Step(1f, new float[4], new float[4]));
        }
    }
}
