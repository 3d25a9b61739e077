using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Dsl.Text;
using AE.Runtime;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The population backend: K controllers of one law stepped together in SIMD lanes, each bit for
    /// bit the law built alone with its options and seed + j, on random inputs with NaN and infinities,
    /// options that differ per controller and rules switched per controller.
    /// </summary>
    public class PopulationTests
    {
        private const string Namespace = "AE.Pop";
        private const int N = 13;
        private const ulong Seed = 11;

        /// <summary>Laws written for the population's hard cases; each has the optimizer shape so both types step through the runtime's interfaces.</summary>
        private const string Constructs = """
            law Constructs "when/else, filters and draws under conditions, rule switches" {
              dim n;
              param lr = 0.05;
              param gate = 1.0;
              param period: int in [1, 1000] = 3;
              param use_noise: bool = true;
              param beta in [0, 1) = 0.8;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              state v: real[n] = 0;
              state flag: bool = false;
              state hits: real = 0;
              coeff k in [0.01, 10] = 1;
              signal L: real, trend: real, held: real, picked: real, jitter: real;
              signal boost: real = 0;
              signal dv: real[n];
              acc drive = 0;
              fixed rule measure {
                L = finite_or(loss, 1e6);
                g = sanitize(grad, 1e3);
                gn = norm(g);
                trend = L > gate ? ema(beta, L - prev(L, L)) : lp(0.5, L);
                up = L > 0 && ema(0.5, L) > gate;
                down = L < 0 || lp(0.3, L) > 2 * gate;
                held = flag && step % period == 0 ? latch(L < gate, L, 0) : -1;
                jitter = use_noise && L > gate ? noise() : 0;
                picked = gn > gate ? max(g) : min(g);
                dv = g * trend;
              }
              rule R1 "steer k" {
                when up {
                  k' = k * (1 + 0.1 * tanh(ema(beta, L)));
                  hits' = hits + 1;
                } else when down {
                  k' = k / (1 + 0.1 * abs(trend));
                  drive += 0.01 * noise();
                } else {
                  k' = k * 0.99 + (flag ? 0.01 : 0);
                }
                flag' = L > gate;
              }
              rule R2 "boost" {
                boost = k > 2 ? cosine(g, v) : mean(g);
                drive += 0.001 * boost;
              }
              update "step" {
                v' = beta * v + g;
                theta' = theta - lr * k' * v' + (k > 1.5 ? 0.01 * noise(n) : 0) + drive;
                k' = k' * (1 + drive);
              }
            }

            law Eager "side effects under elementwise conditions, draws in a guarded reduction" {
              dim n;
              param lr = 0.05;
              param gate = 0.5;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              coeff k in [0.01, 10] = 1;
              signal z: real, w: real;
              fixed rule measure {
                z = k > gate ? sum(noise(n) * grad) : 0;
                w = loss > 0 ? dot(grad, theta) : max(grad);
              }
              rule R { k' = k * (1 + 0.01 * tanh(z)); }
              update "step" {
                theta' = grad > 0 ? theta - lr * grad + 0.001 * noise(n) : theta - lr * grad;
              }
            }

            law Vectors "vector params, accumulators and signals under rule switches, bounded vector state" {
              dim n;
              param w: real[n] = 0.5;
              param lr = 0.05;
              param period: int in [1, 100] = 4;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              state u: real[n] in [-1, 1] = 0;
              acc push: real[n] = 0;
              signal sv: real[n] = 0;
              signal s: real, lo: real;
              signal jolt = 0.01 * noise(), vj: real[n] = 0.01 * noise(n);
              fixed rule measure {
                s = mean(grad * w) + step * 1e-3;
                lo = min(grad) + 1e-3 * finite_or(loss, 0);
              }
              rule A "push" {
                push += w * sanitize(grad, 10);
                sv = tanh(grad) * lr;
                jolt = lr * 0.1;
                vj = grad * 0.01;
              }
              rule B "drift" {
                when s > 0 && step % period != 0 {
                  u' = u + 0.1 * sign(sanitize(grad, 10)) + 0.01 * noise(n);
                }
              }
              update "step" {
                theta' = clamp(theta - lr * (push + sv) + u' + jolt + vj, -5, 5);
              }
            }
            """;

        // ---------- compiling a law and its population ----------

        private sealed record Compiled(IrUnit Unit, Type Law, Type Population, Type OptionsType, MethodInfo Probe, string[] Vectors);

        private static readonly ConcurrentDictionary<string, Lazy<Compiled>> Cache = new(StringComparer.Ordinal);

        private static IrUnit Load(string file, string name)
        {
            var text = file == "constructs" ? Constructs : file == "held-cosine" ? AE.Tests.Shared.TestLaws.HeldCosine : File.ReadAllText(Path.Combine(RepoPaths.Laws, file));
            var check = AeCompiler.Check(new SourceFile(file, text));
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            return check.Program!.Units.First(u => u.Name == name);
        }

        /// <summary>The laws under test: (file, unit, rules removed at compile time, type name).</summary>
        private static readonly Dictionary<string, (string File, string Unit, string[] Ablate)> Laws = new(StringComparer.Ordinal)
        {
            ["AeSgdm"] = ("ae_sgdm.ae", "AeSgdm", Array.Empty<string>()),
            ["AeSgdmNoResonance"] = ("ae_sgdm.ae", "AeSgdm", new[] { "AE5" }),
            ["AeAdam"] = ("ae_adam.ae", "AeAdam", Array.Empty<string>()),
            ["AeSgdmPhase"] = ("ae_sgdm_phase.ae", "AeSgdmPhase", Array.Empty<string>()),
            ["Constructs"] = ("constructs", "Constructs", Array.Empty<string>()),
            ["Eager"] = ("constructs", "Eager", Array.Empty<string>()),
            ["Vectors"] = ("constructs", "Vectors", Array.Empty<string>()),
            ["HeldCosine"] = ("held-cosine", "HeldCosine", Array.Empty<string>()),
        };

        private static Compiled Compile(string name) => Cache.GetOrAdd(name, n => new Lazy<Compiled>(() =>
        {
            var (file, unitName, ablate) = Laws[n];
            var unit = Load(file, unitName);
            var code = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = Namespace, TypeName = n, Ablate = ablate });
            // The law's vectors are spans, which reflection cannot return: a probe compiled beside it copies them.
            var vectors = unit.States.Where(s => !s.Type.IsScalar && s.Init != null).Select(s => s.Name)
                .Concat(unit.Signals.Where(s => !s.Type.IsScalar).Select(s => s.Name)).ToArray();
            var probe = $"namespace {Namespace} {{ public static class Probe_{n} {{ public static double[] Vector(object law, string name) {{ var x = ({n})law; switch (name) {{ "
                + string.Concat(vectors.Select(v => $"case \"{v}\": return x.{v}.ToArray(); "))
                + "default: throw new global::System.ArgumentException(name); } } } }";
            var asm = EmittedLaw.Compile(code + probe, n);
            var law = asm.GetType($"{Namespace}.{n}")!;
            return new Compiled(unit, law, asm.GetType($"{Namespace}.{n}Population")!, law.GetNestedType("Options")!,
                asm.GetType($"{Namespace}.Probe_{n}")!.GetMethod("Vector")!, vectors);
        })).Value;

        /// <summary>Options that differ per controller: every setting the law has, varied so controllers take different branches.</summary>
        private static Dictionary<string, double> Settings(string law, int j)
        {
            var grid = new[] { 3e-4, 1e-3, 0.01, 0.05, 0.2 };
            var s = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["init_alpha"] = grid[j % 5] * (1 + 0.1 * (j / 5)),
                ["clip_grad_norm"] = j % 3 == 0 ? double.PositiveInfinity : 0.5 * (1 + j % 4),
                ["step_norm_max"] = j % 4 == 1 ? 0.02 : double.PositiveInfinity,
                ["auto_gamma"] = j % 2,
                ["auto_gamma_warmup"] = 5 + 7 * (j % 3),
                ["param_abs_max"] = j % 6 == 5 ? 0 : 3.0,
                ["grad_emergency"] = 50,
                ["lr"] = 0.01 * (1 + j % 3),
                ["gate"] = 0.5 + 0.25 * (j % 4),
                ["period"] = 1 + j % 4,
                ["use_noise"] = j % 3 == 1 ? 0 : 1,
                ["beta"] = 0.5 + 0.1 * (j % 4),
                ["w"] = 0.3 + 0.1 * j,
            };
            bool noisy = j % 5 == 2;
            s["init_sigma"] = noisy ? 0.01 : 0;
            s["sigma_max"] = law == "AeAdam" ? (noisy ? 0.5 : 0) : 0.5;
            return s;
        }

        private static object Options(Compiled c, Dictionary<string, double> settings, int n = N)
        {
            var opts = Activator.CreateInstance(c.OptionsType)!;
            foreach (var kv in settings)
            {
                var prop = c.OptionsType.GetProperty(kv.Key);
                if (prop == null) continue;
                var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                // A vector param gets a ramp around the value, so its elements differ too.
                prop.SetValue(opts, t == typeof(double[]) ? Enumerable.Range(0, n).Select(i => kv.Value * (1 + 0.05 * i)).ToArray()
                    : t == typeof(bool) ? kv.Value != 0 : t == typeof(long) ? (object)(long)kv.Value : kv.Value);
            }
            return opts;
        }

        private static (IOptimizerLaw[] Laws, IOptimizerPopulation Population) Build(Compiled c, string law, int k, int n = N)
        {
            var options = Array.CreateInstance(c.OptionsType, k);
            var laws = new IOptimizerLaw[k];
            for (int j = 0; j < k; j++)
            {
                var o = Options(c, Settings(law, j), n);
                options.SetValue(o, j);
                laws[j] = (IOptimizerLaw)Activator.CreateInstance(c.Law, n, o, Seed + (ulong)j)!;
            }
            var population = (IOptimizerPopulation)Activator.CreateInstance(c.Population, k, n, options, Seed)!;
            return (laws, population);
        }

        public static TheoryData<string, int> Cases()
        {
            var data = new TheoryData<string, int>();
            foreach (var law in Laws.Keys)
                foreach (var k in new[] { 1, 3, 4, 7, 16 }) data.Add(law, k);
            return data;
        }

        // ---------- bit-for-bit equality ----------

        private static void Same(float expected, float actual, string what)
        {
            if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
                Assert.Fail($"{what}: the law has {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), the population {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");
        }

        private static void Same(double expected, double actual, string what)
        {
            if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
                Assert.Fail($"{what}: the law has {expected:R} (0x{BitConverter.DoubleToInt64Bits(expected):X16}), the population {actual:R} (0x{BitConverter.DoubleToInt64Bits(actual):X16})");
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Every_controller_is_bit_for_bit_its_own_law(string law, int k) => Run(law, k, useFloat: false);

        /// <summary>Past AeSimd.AutoThreshold (128) the same holds against the law stepped with the scalar kernel (the reference order of the sums).</summary>
        [Theory]
        [InlineData("AeSgdm", 3)]
        [InlineData("AeAdam", 5)]
        public void Every_controller_is_bit_for_bit_its_own_scalar_kernel_law_at_300_elements(string law, int k) => Run(law, k, useFloat: false, n: 300, scalarKernel: true);

        public static TheoryData<string, int> FloatCases()
        {
            var data = new TheoryData<string, int>();
            foreach (var law in Laws.Keys)
                foreach (var k in new[] { 1, 7 }) data.Add(law, k);
            return data;
        }

        [Theory]
        [MemberData(nameof(FloatCases))]
        public void Every_controller_steps_float_data_bit_for_bit_as_its_own_law(string law, int k) => Run(law, k, useFloat: true);

        private static void Run(string law, int k, bool useFloat, int n = N, bool scalarKernel = false)
        {
            var c = Compile(law);
            var (laws, population) = Build(c, law, k, n);
            // The law's SIMD kernel adds a sum's lanes in another order; the population is the scalar order's law.
            if (scalarKernel) foreach (var l in laws) l.GetType().GetProperty("Kernel")!.SetValue(l, AE.Runtime.StepKernel.Scalar);
            Assert.Equal(k, population.Count);
            Assert.Equal(n, population.Dimension);
            Assert.Equal(laws[0].SignalNames, population.SignalNames);
            Assert.Equal(laws[0].RuleIds, population.RuleIds);

            var rng = new Random(1234 + k);
            var thetas = new double[k][];
            var theta = new double[n * k];
            var thetas32 = new float[k][];
            var theta32 = new float[n * k];
            for (int j = 0; j < k; j++)
            {
                thetas[j] = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
                thetas32[j] = thetas[j].Select(x => (float)x).ToArray();
                for (int i = 0; i < n; i++) { theta[i * k + j] = thetas[j][i]; theta32[i * k + j] = thetas32[j][i]; }
            }
            var losses = new double[k];
            var losses32 = new float[k];
            var grads = new double[k][];
            var grads32 = new float[k][];
            var grad = new double[n * k];
            var grad32 = new float[n * k];
            var rules = laws[0].RuleIds;
            for (int step = 1; step <= 300; step++)
            {
                for (int j = 0; j < k; j++)
                {
                    var t = useFloat ? thetas32[j].Select(x => (double)x).ToArray() : thetas[j];
                    losses[j] = step == 40 && j % 3 == 0 ? double.NaN
                        : step == 41 && j % 3 == 1 ? double.PositiveInfinity
                        : step == 42 && j % 3 == 2 ? double.NegativeInfinity
                        : t.Sum(x => x * x) * (1 + 0.1 * j) - (j % 2 == 0 ? 0 : 3);
                    grads[j] = Enumerable.Range(0, n).Select(i => t[i] * (1 + i % 3) + (rng.NextDouble() - 0.5) * 10).ToArray();
                    if (step == 17 && j % 2 == 0) grads[j][3] = double.NaN;
                    if (step == 18 && j % 3 == 0) grads[j][5] = double.PositiveInfinity;
                    if (step == 19 && j % 3 == 1) grads[j][1] = double.NegativeInfinity;
                    if (step == 60 && j == 1 % k) for (int i = 0; i < n; i++) grads[j][i] *= 1e4;
                    for (int i = 0; i < n; i++) grad[i * k + j] = grads[j][i];
                    losses32[j] = (float)losses[j];
                    grads32[j] = grads[j].Select(x => (float)x).ToArray();
                    for (int i = 0; i < n; i++) grad32[i * k + j] = grads32[j][i];
                }
                // Rules switched per controller and for all, between steps.
                if (rules.Count > 0)
                {
                    if (step == 100) { laws[k - 1].SetRule(rules[0], false); population.SetRule(k - 1, rules[0], false); }
                    if (step == 150) { foreach (var l in laws) l.SetRule(rules[^1], false); population.SetRule(rules[^1], false); }
                    if (step == 220) { laws[0].SetRule(rules[^1], true); population.SetRule(0, rules[^1], true); }
                }
                if (useFloat)
                {
                    for (int j = 0; j < k; j++) laws[j].Step(losses32[j], grads32[j], thetas32[j]);
                    population.Step(losses32, grad32, theta32);
                }
                else
                {
                    for (int j = 0; j < k; j++) laws[j].Step(losses[j], grads[j], thetas[j]);
                    population.Step(losses, grad, theta);
                }

                for (int j = 0; j < k; j++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        if (useFloat) Same(thetas32[j][i], theta32[i * k + j], $"{law} K={k} float step {step} controller {j} theta[{i}]");
                        else Same(thetas[j][i], theta[i * k + j], $"{law} K={k} step {step} controller {j} theta[{i}]");
                    }
                    for (int s = 0; s < laws[j].SignalNames.Count; s++)
                        Same(laws[j].ReadSignal(s), population.ReadSignal(j, s), $"{law} K={k} step {step} controller {j} {laws[j].SignalNames[s]}");
                }
                if (step % 25 == 0)
                {
                    foreach (var v in c.Vectors)
                    {
                        var reader = c.Population.GetMethod(v, new[] { typeof(int), typeof(int) })!;
                        for (int j = 0; j < k; j++)
                        {
                            var expected = (double[])c.Probe.Invoke(null, new object[] { laws[j], v })!;
                            for (int i = 0; i < n; i++)
                                Same(expected[i], (double)reader.Invoke(population, new object[] { j, i })!, $"{law} K={k} step {step} controller {j} {v}[{i}]");
                        }
                    }
                }
            }
            Assert.Equal(300, population.StepCount);
            if (useFloat) Assert.Throws<InvalidOperationException>(() => population.Step(losses, grad, theta));
            else Assert.Throws<InvalidOperationException>(() => population.Step(losses32, grad32, theta32));
            var all = new double[k];
            population.ReadSignal(0, all);
            for (int j = 0; j < k; j++) Same(laws[j].ReadSignal(0), all[j], "ReadSignal for all controllers");
        }

        [Fact]
        public void Params_and_rule_switches_read_per_controller()
        {
            var c = Compile("AeSgdm");
            var (laws, population) = Build(c, "AeSgdm", 6);
            var initAlpha = c.Population.GetMethod("init_alpha")!;
            var autoGamma = c.Population.GetMethod("auto_gamma")!;
            var warmup = c.Population.GetMethod("auto_gamma_warmup")!;
            for (int j = 0; j < 6; j++)
            {
                var s = Settings("AeSgdm", j);
                Assert.Equal(s["init_alpha"], (double)initAlpha.Invoke(population, new object[] { j })!);
                Assert.Equal(s["auto_gamma"] != 0, (bool)autoGamma.Invoke(population, new object[] { j })!);
                Assert.Equal((long)s["auto_gamma_warmup"], (long)warmup.Invoke(population, new object[] { j })!);
            }
            population.SetRule(2, "AE5", false);
            var enabled = c.Population.GetMethod("Enabled")!;
            var rulesType = c.Law.GetNestedType("Rules")!;
            var all = Enum.Parse(rulesType, "All");
            Assert.Equal(all, enabled.Invoke(population, new object[] { 1 }));
            Assert.NotEqual(all, enabled.Invoke(population, new object[] { 2 }));
            c.Population.GetMethod("SetEnabled")!.Invoke(population, new object[] { 2, all });
            Assert.Equal(all, enabled.Invoke(population, new object[] { 2 }));
        }

        /// <summary>cosine is held to [-1, 1] where rounding takes its quotient past (TestLaws.HeldCosine): exactly 1 and -1 in every lane.</summary>
        [Fact]
        public void Cosine_is_held_to_its_range_in_every_lane()
        {
            var c = Compile("HeldCosine");
            foreach (int n in AE.Tests.Shared.TestLaws.CosinePastOne(N))
            {
                const int k = 5;
                var (_, population) = Build(c, "HeldCosine", k, n);
                population.Step(new double[k], Enumerable.Repeat(1.0, k * n).ToArray(), new double[k * n]);
                var names = c.Unit.Signals.Select(s => s.Name).ToList();
                for (int j = 0; j < k; j++)
                    Assert.Equal((1.0, -1.0), (population.ReadSignal(j, names.IndexOf("same")), population.ReadSignal(j, names.IndexOf("opposite"))));
            }
        }

        [Fact]
        public void Wrong_lengths_bad_params_and_unknown_rules_are_clear_errors()
        {
            var c = Compile("AeSgdm");
            var (_, population) = Build(c, "AeSgdm", 3);
            var ex = Assert.Throws<ArgumentException>(() => population.Step(new double[2], new double[3 * N], new double[3 * N]));
            Assert.Contains("'loss' has 2 values; this population has 3 controllers", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => population.Step(new double[3], new double[3 * N - 1], new double[3 * N]));
            Assert.Contains("'grad' has 38 elements; this population needs 13 x 3", ex.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => population.ReadSignal(3, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => population.ReadSignal(-1, 0));
            Assert.Throws<ArgumentException>(() => population.SetRule("AE1", false));

            // A param outside its range in one controller's options: the law's own check, naming the param.
            var options = Array.CreateInstance(c.OptionsType, 2);
            options.SetValue(Options(c, new Dictionary<string, double>()), 0);
            options.SetValue(Options(c, new Dictionary<string, double> { ["alpha_min"] = 0 }), 1);
            var bad = Assert.ThrowsAny<Exception>(() => Activator.CreateInstance(c.Population, 2, N, options, 0UL));
            var inner = bad is TargetInvocationException t ? t.InnerException! : bad;
            Assert.Equal("alpha_min", Assert.IsType<AE.Runtime.ParamOutOfRangeException>(inner).Param);
            Assert.Contains("param 'alpha_min' must lie in (0, inf)", inner.Message);
            var wrongCount = Assert.ThrowsAny<Exception>(() => Activator.CreateInstance(c.Population, 3, N, options, 0UL));
            Assert.IsType<ArgumentException>(wrongCount is TargetInvocationException w ? w.InnerException! : wrongCount);
            var none = Assert.ThrowsAny<Exception>(() => Activator.CreateInstance(c.Population, 0, N, null, 0UL));
            Assert.IsType<ArgumentOutOfRangeException>(none is TargetInvocationException z ? z.InnerException! : none);
        }

        /// <summary>
        /// Sizes whose arrays .NET cannot allocate are refused by the constructor before it allocates, naming k and n (n x K/4
        /// blocks overflowed the generated int: a population that constructed and then failed, or a bare OverflowException).
        /// A null rule id is an ArgumentNullException, as the law's.
        /// </summary>
        [Theory]
        [InlineData(12, 1431655766)]
        [InlineData(8, 1 << 30)]
        [InlineData(int.MaxValue, 1)]
        public void Sizes_beyond_what_an_array_holds_are_refused_naming_k_and_n(int k, int n)
        {
            var c = Compile("AeSgdm");
            var ex = Assert.ThrowsAny<Exception>(() => Activator.CreateInstance(c.Population, k, n, null, 0UL));
            var inner = Assert.IsType<ArgumentOutOfRangeException>(ex is TargetInvocationException t ? t.InnerException! : ex);
            Assert.Equal("k", inner.ParamName);
            Assert.StartsWith($"a population of k = {k} controllers over n = {n} needs an array of ", inner.Message, StringComparison.Ordinal);

            var population = (IOptimizerPopulation)Activator.CreateInstance(c.Population, 2, 3, null, 0UL)!;
            Assert.Throws<ArgumentNullException>(() => population.SetRule(null!, false));
        }

        /// <summary>
        /// A population checks its law's derived dims and vector lengths before it sizes its blocks from them, in the law's
        /// words: w = n - 3 below 1 sized an array of negative length (a bare OverflowException), and n + 5 beyond an int
        /// wrapped around in the generated int arithmetic.
        /// </summary>
        [Theory]
        [InlineData(2, "dimension 'w' = n - 3 is -1 for n = 2; ")]
        [InlineData(int.MaxValue - 2, "length n + 5 is 2147483650 for n = 2147483645; ")]
        public void Derived_dims_and_lengths_are_checked_before_the_blocks_are_sized(int n, string message)
        {
            var unit = TestSupport.Check(@"law Sizes {
  dim n;
  dim w = n - 3;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state u: real[w] = 1;
  state v: real[n + 5] = 1;
  signal t: real;
  fixed rule M { t = sum(u) + sum(v) + loss; u' = u * 0.5; v' = v * 0.5; theta' = theta - 0.01 * grad; }
}").Program!.Units[0];
            var asm = EmittedLaw.Compile(CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = Namespace, TypeName = "Sizes" }), "Sizes");
            var population = asm.GetType($"{Namespace}.SizesPopulation")!;
            var thrown = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(population, 4, n, null, 0UL));
            var dim = Assert.IsType<DimOutOfRangeException>(thrown.InnerException);
            Assert.StartsWith(message + "a dimension must be at least 1 and at most 2147483647", dim.Message, StringComparison.Ordinal);
            var built = (IOptimizerPopulation)Activator.CreateInstance(population, 4, 4, null, 0UL)!;
            Assert.Equal(4, built.Count);
        }

        // ---------- allocation ----------

        [Fact]
        public void A_population_step_allocates_nothing()
        {
            var c = Compile("AeSgdm");
            const int k = 7, n = 100;
            var options = Array.CreateInstance(c.OptionsType, k);
            for (int j = 0; j < k; j++) options.SetValue(Options(c, Settings("AeSgdm", j)), j);
            var population = (IOptimizerPopulation)Activator.CreateInstance(c.Population, k, n, options, Seed)!;
            var loss = new double[k];
            var grad = new double[n * k];
            var theta = new double[n * k];
            for (int i = 0; i < n * k; i++) { theta[i] = i * 1e-3; grad[i] = Math.Sin(i); }
            Steps(population, loss, grad, theta, 200); // warm-up: the loop below is compiled and run once
            Assert.Equal(0, AE.Tests.Shared.Allocated.LeastOfThree(() => Steps(population, loss, grad, theta, 1000)));

            var population32 = (IOptimizerPopulation)Activator.CreateInstance(c.Population, k, n, options, Seed)!;
            var loss32 = new float[k];
            var grad32 = grad.Select(x => (float)x).ToArray();
            var theta32 = new float[n * k];
            population32.Step(loss32, grad32, theta32); // the first float step creates the float copies of owned state
            Steps(population32, loss32, grad32, theta32, 200);
            Assert.Equal(0, AE.Tests.Shared.Allocated.LeastOfThree(() => Steps(population32, loss32, grad32, theta32, 1000)));
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static long Steps(IOptimizerPopulation population, float[] loss, float[] grad, float[] theta, int count)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int step = 0; step < count; step++)
            {
                for (int j = 0; j < loss.Length; j++) loss[j] = 1.0f / (step + 1 + j);
                population.Step(loss, grad, theta);
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static long Steps(IOptimizerPopulation population, double[] loss, double[] grad, double[] theta, int count)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int step = 0; step < count; step++)
            {
                for (int j = 0; j < loss.Length; j++) loss[j] = 1.0 / (step + 1 + j);
                population.Step(loss, grad, theta);
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // ---------- the SIMD operations the backend relies on ----------

        private static readonly double[] Specials =
        {
            0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e308, -1e308, double.Epsilon, -double.Epsilon, 2.2250738585072014E-308,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN,
            // Quiet NaNs with payloads. Not signalling NaNs: Math.Max itself returns one as it is in
            // unoptimised code and quiet in optimised code, so no backend can promise their bits.
            BitConverter.Int64BitsToDouble(0x7FF8000000000001), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000123)),
        };

        private const string MaxProbe = """
            public static class MaxProbe
            {
                [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
                public static string Mismatches(double[] values)
                {
                    var sb = new System.Text.StringBuilder();
                    foreach (var a in values)
                        foreach (var b in values)
                        {
                            var va = System.Runtime.Intrinsics.Vector256.Create(a);
                            var vb = System.Runtime.Intrinsics.Vector256.Create(b);
                            if (System.BitConverter.DoubleToInt64Bits(System.Runtime.Intrinsics.Vector256.GetElement(System.Runtime.Intrinsics.Vector256.Max(va, vb), 0)) != System.BitConverter.DoubleToInt64Bits(System.Math.Max(a, b)))
                                sb.Append($"max({a:R}, {b:R}) ");
                            if (System.BitConverter.DoubleToInt64Bits(System.Runtime.Intrinsics.Vector256.GetElement(System.Runtime.Intrinsics.Vector256.Min(va, vb), 0)) != System.BitConverter.DoubleToInt64Bits(System.Math.Min(a, b)))
                                sb.Append($"min({a:R}, {b:R}) ");
                        }
                    return sb.ToString();
                }
            }
            """;

        [Fact]
        public void Vector256_min_and_max_match_Math_in_optimised_code()
        {
            // Math.Max/Min propagate NaN (the NaN operand, the first of two) and order -0 below +0; in
            // optimised code (the laws' steps are) Vector256.Max/Min agree bit for bit. Unoptimised code
            // (Debug builds, tier 0) runs a fallback that returns the second of two NaNs: AeLanes.Max
            // and Min do Math's steps instead, so they agree everywhere.
            var asm = EmittedLaw.Compile(MaxProbe, "MaxProbe");
            var mismatches = (string)asm.GetType("MaxProbe")!.GetMethod("Mismatches")!.Invoke(null, new object[] { Specials })!;
            Assert.True(mismatches.Length == 0, mismatches);
        }

        [Fact]
        public void The_exact_helpers_match_the_scalar_functions_bit_for_bit()
        {
            foreach (var a in Specials)
                foreach (var b in Specials)
                {
                    var va = Vector256.Create(a, b, a, b);
                    var vb = Vector256.Create(b, a, a, b);
                    for (int l = 0; l < 4; l++)
                    {
                        double x = va.GetElement(l), y = vb.GetElement(l);
                        // Of two different NaNs, which one an addition returns depends on the operand order
                        // the JIT picks (it may swap a commutative operation's operands), in the law too.
                        if (double.IsNaN(x) && double.IsNaN(y) && BitConverter.DoubleToInt64Bits(x) != BitConverter.DoubleToInt64Bits(y)) continue;
                        string at = $"({x:R}, {y:R})";
                        Same(Math.Max(x, y), AeLanes.Max(va, vb).GetElement(l), "AeLanes.Max" + at);
                        Same(Math.Min(x, y), AeLanes.Min(va, vb).GetElement(l), "AeLanes.Min" + at);
                        Same(AeMath.Clamp(x, y, 3.0), AeLanes.Clamp(va, vb, Vector256.Create(3.0)).GetElement(l), "Clamp" + at);
                        Same(AeMath.Sanitize(x, y), AeLanes.Sanitize(va, vb).GetElement(l), "Sanitize" + at);
                        Same(AeMath.FiniteOr(x, y), AeLanes.FiniteOr(va, vb).GetElement(l), "FiniteOr" + at);
                        Same(AeMath.Lerp(x, y, 0.25), AeLanes.Lerp(va, vb, Vector256.Create(0.25)).GetElement(l), "Lerp" + at);
                        Same(AeMath.SoftAbs(x, y), AeLanes.SoftAbs(va, vb).GetElement(l), "SoftAbs" + at);
                        Same(Math.Pow(x, y), AeLanes.Pow(va, vb).GetElement(l), "Pow" + at);
                        Same(x % y, AeLanes.Mod(va, vb).GetElement(l), "Mod" + at);
                        Same(x / y, (va / vb).GetElement(l), "division" + at);
                    }
                }
            foreach (var a in Specials)
            {
                var v = Vector256.Create(a);
                Same(-a, AeLanes.Neg(v).GetElement(0), $"Neg({a:R})");
                Same(Math.Abs(a), AeLanes.Abs(v).GetElement(0), $"Abs({a:R})");
                Same(Math.Sqrt(a), Vector256.Sqrt(v).GetElement(0), $"Sqrt({a:R})");
                Same(AeMath.Relu(a), AeLanes.Relu(v).GetElement(0), $"Relu({a:R})");
                Same(Math.Exp(a), AeLanes.Exp(v).GetElement(0), $"Exp({a:R})");
                Same(Math.Tanh(a), AeLanes.Tanh(v).GetElement(0), $"Tanh({a:R})");
                Same(AeMath.Softplus(a), AeLanes.Softplus(v).GetElement(0), $"Softplus({a:R})");
                Assert.Equal(AeMath.IsFinite(a), AeLanes.IsSet(AeLanes.IsFinite(v), 0));
                if (!double.IsNaN(a)) Same(AeMath.Sign(a), AeLanes.Sign(v).GetElement(0), $"Sign({a:R})");
            }
        }

        [Fact]
        public void Filters_advance_only_on_active_lanes()
        {
            var m = new double[4];
            var count = new long[4];
            var active = Vector256.Create(-1L, 0L, -1L, 0L).AsDouble();
            var r = AeLanes.Ema(m, count, 0, active, Vector256.Create(0.9), Vector256.Create(1.0, 2.0, 3.0, 4.0));
            Assert.Equal(new long[] { 1, 0, 1, 0 }, count);
            Assert.Equal(new[] { 1.0, 0.0, 3.0, 0.0 }, m);
            Assert.Equal(1.0, r.GetElement(0));
        }

        [Fact]
        public void A_lanes_draw_is_its_controllers_draw_and_zero_where_inactive_or_padding()
        {
            var active = Vector256.Create(-1L, 0L, -1L, -1L).AsDouble();
            // Controllers 4..7 of a population of 7, seed 10: lane k is controller 4 + k with seed 10 + 4 + k.
            var v = AeLanes.Noise(10, 3, 2, 5, 4, 7, active);
            Same(CounterNoise.Gaussian(14, 3, 2, 5), v.GetElement(0), "lane 0");
            Assert.Equal(0.0, v.GetElement(1));
            Same(CounterNoise.Gaussian(16, 3, 2, 5), v.GetElement(2), "lane 2");
            Assert.Equal(0.0, v.GetElement(3));   // controller 7 does not exist: a padding lane draws nothing
            Assert.NotEqual(v.GetElement(0), v.GetElement(2));
        }
    }
}
