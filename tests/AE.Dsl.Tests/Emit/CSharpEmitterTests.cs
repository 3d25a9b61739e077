using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Dsl.Emit;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Dsl.Text;
using AE.Runtime;
using Xunit;

namespace AE.Dsl.Tests
{
    public class CSharpEmitterTests
    {
        private static IrUnit SgdmUnit(out SourceFile file)
        {
            file = new SourceFile("laws/ae_sgdm.ae", File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae")));
            var check = AeCompiler.Check(file);
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            return check.Program!.Units[0];
        }

        private static CSharpEmitOptions Options(SourceFile file, params string[] ablate) => new()
        {
            Namespace = "AE.Laws",
            Sources = new Dictionary<string, SourceFile> { [file.Path] = file },
            Ablate = ablate,
            TypeName = ablate.Length == 0 ? null : "AeSgdm_without_" + string.Join("_", ablate),
        };

        /// <summary>The law built with the seed's settings for a golden case.</summary>
        private static IOptimizerLaw Build(IrUnit unit, CSharpEmitOptions options, int n, IReadOnlyDictionary<string, double[]> settings, ulong seed = 0)
        {
            var code = CSharpEmitter.Emit(unit, options);
            var asm = EmittedLaw.Compile(code, options.TypeName ?? unit.Name);
            var type = asm.GetType(options.Namespace + "." + (options.TypeName ?? unit.Name))!;
            var optionsType = type.GetNestedType("Options")!;
            var opts = Activator.CreateInstance(optionsType)!;
            foreach (var kv in settings)
            {
                var prop = optionsType.GetProperty(kv.Key)!;
                var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                object value = t == typeof(bool) ? kv.Value[0] != 0 : t == typeof(long) ? (object)(long)kv.Value[0] : kv.Value[0];
                prop.SetValue(opts, value);
            }
            return (IOptimizerLaw)Activator.CreateInstance(type, n, opts, seed)!;
        }

        private static double Signal(IOptimizerLaw law, string name) => law.ReadSignal(law.SignalNames.ToList().IndexOf(name));

        public static TheoryData<string> Cases()
        {
            var data = new TheoryData<string>();
            foreach (var c in SeedConformanceTests.CaseNames()) data.Add(c);
            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Emitted_ae_sgdm_replays_the_seed_and_matches_the_interpreter_bit_for_bit(string name)
        {
            var unit = SgdmUnit(out var file);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(SeedConformanceTests.Golden, name + ".json")));
            var root = json.RootElement;
            var problem = GoldenProblem.From(root.GetProperty("problem"));
            var theta0 = root.GetProperty("theta0").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double rel = root.GetProperty("tolerance").GetProperty("rel").GetDouble();
            double abs = root.GetProperty("tolerance").GetProperty("abs").GetDouble();
            var settings = SeedConformanceTests.SeedSettings(root, unit.Params.Select(p => p.Name));

            var law = Build(unit, Options(file), theta0.Length, settings);
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = theta0.Length }, settings,
                new Dictionary<string, double[]> { ["theta"] = theta0 });
            var theta = (double[])theta0.Clone();
            var rows = File.ReadAllLines(Path.Combine(SeedConformanceTests.Golden, name + ".csv"));
            var columns = rows[0].Split(',');
            for (int step = 1; step < rows.Length; step++)
            {
                var (loss, grad) = problem.Evaluate(theta);
                law.Step(loss, grad, theta);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                Assert.Equal(interp.Get("theta"), theta);
                var expected = rows[step].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                for (int c = 1; c < columns.Length; c++)
                {
                    var col = columns[c];
                    double actual = col.StartsWith("theta", StringComparison.Ordinal) ? theta[int.Parse(col.Substring(5), CultureInfo.InvariantCulture)] : Signal(law, col == "loss" ? "L" : col);
                    double reference = col.StartsWith("theta", StringComparison.Ordinal) ? actual : interp.Scalar(col == "loss" ? "L" : col);
                    Assert.True(actual.Equals(reference), $"{name} step {step} {col}: emitted {actual:R}, interpreter {reference:R}");
                    double err = Math.Abs(actual - expected[c]);
                    Assert.True(err <= abs || err <= rel * Math.Abs(expected[c]), $"{name} step {step} {col}: expected {expected[c]:R}, got {actual:R}");
                }
            }
        }

        /// <summary>Settings that exercise every guard of the seed: clipping, the step cap, the clamp, noise, the brake.</summary>
        private static Dictionary<string, double[]> Stress(double clip, double stepCap, double sigma) => new()
        {
            ["clip_grad_norm"] = new[] { clip },
            ["step_norm_max"] = new[] { stepCap },
            ["param_abs_max"] = new[] { 3.0 },
            ["init_sigma"] = new[] { sigma },
            ["sigma_max"] = new[] { 0.5 },
            ["init_alpha"] = new[] { 0.05 },
            ["auto_gamma_warmup"] = new[] { 5.0 },
            ["grad_emergency"] = new[] { 50.0 },
        };

        [Theory]
        [InlineData(0.5, 0.01, 0.0, new string[0])]
        [InlineData(double.PositiveInfinity, double.PositiveInfinity, 0.01, new string[0])]
        [InlineData(2.0, 0.05, 0.02, new[] { "AE5" })]
        [InlineData(2.0, 0.05, 0.02, new[] { "AE6", "AE8" })]
        [InlineData(1.0, double.PositiveInfinity, 0.0, new[] { "brake", "AE2", "AE4", "AE3" })]
        public void Emitted_law_equals_the_interpreter_on_random_gradients_with_every_guard_active(double clip, double stepCap, double sigma, string[] ablate)
        {
            var unit = SgdmUnit(out var file);
            const int n = 37;
            var settings = Stress(clip, stepCap, sigma);
            var rng = new Random(1234);
            var theta0 = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray();

            // Compile-time ablation, run-time switches and the interpreter's ablation agree exactly.
            var specialised = Build(unit, Options(file, ablate), n, settings, seed: 7);
            var switched = Build(unit, Options(file), n, settings, seed: 7);
            foreach (var id in ablate) switched.SetRule(id, false);
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, settings,
                new Dictionary<string, double[]> { ["theta"] = theta0 }, ablate, seed: 7);
            var a = (double[])theta0.Clone();
            var b = (double[])theta0.Clone();
            for (int step = 0; step < 300; step++)
            {
                var grad = Enumerable.Range(0, n).Select(i => a[i] * (1 + i % 3) + (rng.NextDouble() - 0.5) * 10).ToArray();
                if (step == 17) grad[3] = double.NaN;
                if (step == 18) grad[5] = double.PositiveInfinity;
                double loss = step == 40 ? double.NaN : a.Sum(x => x * x);
                specialised.Step(loss, grad, a);
                switched.Step(loss, grad, b);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                Assert.Equal(interp.Get("theta"), a);
                Assert.Equal(a, b);
                foreach (var s in new[] { "alpha", "mu", "sigma", "T", "V", "S", "rho", "gamma", "gnorm" })
                {
                    Assert.Equal(interp.Scalar(s), Signal(specialised, s));
                    Assert.Equal(interp.Scalar(s), Signal(switched, s));
                }
            }
        }

        /// <summary>
        /// A signal's neutral value (its value while its rule is off) that reads a filter or draws noise, in a law that has
        /// neither elsewhere: its filter's slot and the seed were declared in the population only, and the law's C# did not
        /// compile. Now the law steps as the interpreter, bit for bit, with the rule off, on, and switched mid-run.
        /// </summary>
        [Theory]
        [InlineData("ema(0.9, loss)")]
        [InlineData("noise()")]
        [InlineData("loss > 1 ? lp(0.5, loss) : prev(loss, 2)")]
        public void A_neutral_that_reads_a_filter_or_draws_noise_steps_as_the_interpreter(string neutral)
        {
            var file = new SourceFile("nv.ae", "law NV {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal d = " + neutral + ";\n"
                + "  rule D { d = 0.5; }\n  update { theta' = theta - 0.01 * grad * d; }\n}\n");
            var result = AeCompiler.Check(file);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            var unit = result.Program!.Units[0];
            const int n = 5;
            var options = new CSharpEmitOptions { Namespace = "AE.Laws", Sources = new Dictionary<string, SourceFile> { [file.Path] = file }, TypeName = "NV_" + neutral.Length.ToString(CultureInfo.InvariantCulture) };
            var law = Build(unit, options, n, new Dictionary<string, double[]>(), seed: 3);
            var theta0 = Enumerable.Range(0, n).Select(i => 1.0 + 0.1 * i).ToArray();
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, null, new Dictionary<string, double[]> { ["theta"] = theta0 }, null, seed: 3);
            var theta = (double[])theta0.Clone();
            for (int step = 0; step < 60; step++)
            {
                bool on = step < 10 || step >= 30;   // off from step 10 to 29: d is its neutral
                law.SetRule("D", on);
                interp.SetRule("D", on);
                var grad = theta.Select((x, i) => x * (1 + i)).ToArray();
                double loss = theta.Sum(x => x * x);
                law.Step(loss, grad, theta);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                Assert.Equal(interp.Get("theta"), theta);
                Assert.Equal(interp.Scalar("d"), Signal(law, "d"));
            }
        }

        [Fact]
        public void A_step_allocates_nothing_in_double_or_float()
        {
            var unit = SgdmUnit(out var file);
            const int n = 1000;
            var settings = Stress(1.0, 0.5, 0.01);
            var law64 = Build(unit, Options(file), n, settings);
            var law32 = Build(unit, Options(file), n, settings);
            var theta = new double[n];
            var grad = new double[n];
            var theta32 = new float[n];
            var grad32 = new float[n];
            for (int i = 0; i < n; i++) { theta[i] = theta32[i] = i * 1e-3f; grad[i] = grad32[i] = (float)Math.Sin(i); }
            law64.Step(1.0, grad, theta);
            law32.Step(1.0f, grad32, theta32); // the first float step creates the float copies of owned state
            Steps(law64, law32, grad, theta, grad32, theta32, 200); // warm-up: the loop below is compiled and run once
            // The runtime may allocate on this thread now and then (tiered compilation's timer, a few KB under
            // load); an allocation of the law's step would show in every run, so the least of three must be 0.
            var allocated = new long[3];
            for (int i = 0; i < allocated.Length; i++) allocated[i] = Steps(law64, law32, grad, theta, grad32, theta32, 1000);
            Assert.True(allocated.Min() == 0, "bytes allocated per 1000 steps: " + string.Join(", ", allocated));
            Assert.Throws<InvalidOperationException>(() => law64.Step(1.0f, grad32, theta32));
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static long Steps(IOptimizerLaw law64, IOptimizerLaw law32, double[] grad, double[] theta, float[] grad32, float[] theta32, int count)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int step = 0; step < count; step++)
            {
                law64.Step(1.0 / (step + 1), grad, theta);
                law32.Step(1.0f / (step + 1), grad32, theta32);
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        [Fact]
        public void Float_step_tracks_the_double_step()
        {
            var unit = SgdmUnit(out var file);
            const int n = 64;
            var settings = new Dictionary<string, double[]> { ["init_alpha"] = new[] { 0.05 }, ["alpha_max"] = new[] { 0.3 } };
            var law64 = Build(unit, Options(file), n, settings);
            var law32 = Build(unit, Options(file), n, settings);
            var theta = Enumerable.Range(0, n).Select(i => Math.Cos(i)).ToArray();
            var theta32 = theta.Select(x => (float)x).ToArray();
            for (int step = 0; step < 200; step++)
            {
                var grad = theta.Select((x, i) => x * (1 + i % 4)).ToArray();
                var grad32 = theta32.Select((x, i) => x * (1f + i % 4)).ToArray();
                law64.Step(theta.Select((x, i) => 0.5 * (1 + i % 4) * x * x).Sum(), grad, theta);
                law32.Step(theta32.Select((x, i) => 0.5f * (1 + i % 4) * x * x).Sum(), grad32, theta32);
            }
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(theta[i] - theta32[i]) < 1e-4, $"theta[{i}]: {theta[i]} vs {theta32[i]}");
            // The state the law owns, read after float steps, is the float law's (it read the initial zeros of its double copy).
            double[] M(IOptimizerLaw law) => ((Func<ReadOnlySpan<double>>)Delegate.CreateDelegate(typeof(Func<ReadOnlySpan<double>>), law, law.GetType().GetProperty("m")!.GetMethod!))().ToArray();
            var m64 = M(law64);
            var m32 = M(law32);
            Assert.Contains(m64, v => Math.Abs(v) > 1e-3);
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(m64[i] - m32[i]) < 1e-4, $"m[{i}]: {m64[i]} vs {m32[i]}");
        }

        [Fact]
        public void Wrong_lengths_and_bad_params_are_clear_errors()
        {
            var unit = SgdmUnit(out var file);
            var law = Build(unit, Options(file), 4, new Dictionary<string, double[]>());
            var ex = Assert.Throws<ArgumentException>(() => law.Step(1.0, new double[3], new double[4]));
            Assert.Contains("'grad' has 3 elements; this law was built for 4", ex.Message);
            var bad = Assert.ThrowsAny<Exception>(() => Build(unit, Options(file), 4, new Dictionary<string, double[]> { ["alpha_min"] = new[] { 0.0 } }));
            var inner = bad is System.Reflection.TargetInvocationException t ? t.InnerException! : bad;
            var range = Assert.IsType<ParamOutOfRangeException>(inner);
            Assert.Contains("param 'alpha_min' must lie in (0, inf)", inner.Message);
            Assert.Equal(("alpha_min", "(0, inf)", 0.0), (range.Param, range.Range, range.Value));
            Assert.Throws<ArgumentException>(() => law.SetRule("AE1", false));
            Assert.Throws<ArgumentNullException>(() => law.SetRule(null!, false));
            // A kernel outside the enum would run the scalar loops without a word: refused where it is set.
            var kernel = law.GetType().GetProperty("Kernel")!;
            var refused = Assert.Throws<System.Reflection.TargetInvocationException>(() => kernel.SetValue(law, (StepKernel)99));
            Assert.IsType<ArgumentOutOfRangeException>(refused.InnerException);
            Assert.Equal(StepKernel.Auto, kernel.GetValue(law));
        }

        [Fact]
        public void Ae_sgdm_reads_its_vectors_once_for_every_reduction_and_once_to_update()
        {
            var unit = SgdmUnit(out var file);
            var code = CSharpEmitter.Emit(unit, Options(file));
            // The one step both precisions share, up to the first pass's method.
            var step = code.Substring(code.IndexOf("private void __Step<", StringComparison.Ordinal));
            step = step.Substring(0, step.IndexOf("class __Pass1<", StringComparison.Ordinal));
            // Measurement: one pass computes all four reductions; the update: one pass writes m and theta.
            Assert.Contains("pass 1 of 3 over the vectors: reductions sum(g0 * g0), sum(g0), norm(m), dot(g0, m)", step);
            Assert.Contains("pass 3 of 3 over the vectors: write the vectors", step);
            // The seed's step-norm cap needs norm(upd): that pass runs only when the cap is on.
            // (#line directives left out: where the statements' mapping to the .ae file ends is not the point here.)
            var capPass = string.Join("\n", step.Substring(step.IndexOf("pass 2 of 3", StringComparison.Ordinal)).Split('\n').Where(l => !l.StartsWith("#line", StringComparison.Ordinal)));
            Assert.StartsWith("pass 2 of 3 over the vectors: reductions norm(upd)\n                double __r4 = 0.0;\n                if ((step_norm_max < double.PositiveInfinity))", capPass);
        }

        [Fact]
        public void Names_that_clash_with_generated_members_still_compile()
        {
            var unit = TestSupport.AssertClean(@"law Options ""a law named like a generated member"" {
  dim n;
  param StepCount = 1, Step = 2, Enabled = 1, Rules = 1, Options = 3, ToString = 1;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  signal ReadSignal: real = 0;
  rule SetRule { ReadSignal = StepCount * Step * Enabled * Rules * Options * ToString * loss; }
  update { theta' = theta - 0.1 * grad; }
}").Program!.Units[0];
            var code = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" });
            var type = EmittedLaw.Compile(code, "Clash").GetType("AE.Laws.OptionsLaw")!;
            var law = (IOptimizerLaw)Activator.CreateInstance(type, 3, null, 0UL)!;
            var theta = new double[] { 1, 2, 3 };
            law.Step(2.0, new double[] { 1, 1, 1 }, theta);
            Assert.Equal(new[] { 0.9, 1.9, 2.9 }, theta);
            Assert.Equal(12.0, law.ReadSignal(law.SignalNames.ToList().IndexOf("ReadSignal")));
            Assert.Equal("Options", law.LawName);
        }

        /// <summary>
        /// A #line file name is not a string literal: a path with a quote (which it cannot hold) or a backslash compiles, the
        /// quote as '_' and the backslash single; a law's block and a cell's statement alike.
        /// </summary>
        [Theory]
        [InlineData("we\"ird/a\"b.ae", "#line 9 \"we_ird/a_b.ae\"")]
        [InlineData(@"b\s\c.ae", @"#line 9 ""b\s\c.ae""")]
        public void A_line_directive_holds_any_path_and_compiles(string path, string directive)
        {
            const string Law = "law P {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal s: real;\n  update {\n    s = loss;\n    theta' = theta - 0.1 * grad;\n  }\n}\n";
            var file = new SourceFile(path, Law);
            var unit = AeCompiler.Check(file).Program!.Units[0];
            var code = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws", Sources = new Dictionary<string, SourceFile> { [path] = file } });
            Assert.Contains(directive, code, StringComparison.Ordinal);
            EmittedLaw.Compile(code, "Paths");

            const string Cell = "cell C {\n  input x: real[2];\n  state s: real[2] = 0;\n  signal y: real[2];\n  update {\n    s' = 0.5 * s + x;\n    y = s';\n  }\n}\n";
            var cellFile = new SourceFile(path, Cell);
            var cell = AeCompiler.Check(cellFile).Program!.Units[0];
            var cellCode = CSharpEmitter.Emit(cell, new CSharpEmitOptions { Namespace = "AE.Cells", Sources = new Dictionary<string, SourceFile> { [path] = cellFile } });
            Assert.Contains(directive.Replace("#line 9", "#line 6", StringComparison.Ordinal), cellCode, StringComparison.Ordinal);
            EmittedLaw.Compile(cellCode, "CellPaths");
        }

        /// <summary>
        /// A unit named in lower-case ASCII is a type name C# warns about (CS8981, warning level 7, on in every SDK build of
        /// net7 and later): the generated file silences it, so a law that checks clean builds with warnings as errors.
        /// </summary>
        [Fact]
        public void A_lower_case_law_or_cell_name_compiles_without_a_warning()
        {
            var law = new SourceFile("sgd.ae", "law sgd {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  update { theta' = theta - 0.1 * grad + 0 * loss; }\n}\n");
            var unit = AeCompiler.Check(law).Program!.Units[0];
            var type = EmittedLaw.Compile(CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" }), "Lower").GetType("AE.Laws.sgd");
            Assert.NotNull(type);
            var cell = new SourceFile("rnn.ae", "cell rnn {\n  input x: real[2];\n  state s: real[2] = 0;\n  signal y: real[2];\n  update {\n    s' = 0.5 * s + x;\n    y = s';\n  }\n}\n");
            var cellUnit = AeCompiler.Check(cell).Program!.Units[0];
            Assert.NotNull(EmittedLaw.Compile(CSharpEmitter.Emit(cellUnit, new CSharpEmitOptions { Namespace = "AE.Cells" }), "LowerCell").GetType("AE.Cells.rnn`1"));
        }

        /// <summary>A cell named like a member its type declares (CS0542 otherwise) is the type NameCell, as a law so named is NameLaw.</summary>
        [Theory]
        [InlineData("Step", "StepCell")]
        [InlineData("StepBackward", "StepBackwardCell")]
        [InlineData("Layout", "LayoutCell")]
        [InlineData("Forward0", "Forward0Cell")]
        [InlineData("Backward1", "Backward1Cell")]
        [InlineData("Forwards", "Forwards")]
        [InlineData("T", "T_")]
        public void A_cell_named_like_a_member_of_its_type_compiles(string name, string typeName)
        {
            Assert.Equal(typeName, Names.CellTypeName(name));
            var cell = new SourceFile("c.ae", "cell " + name + " {\n  input x: real[2];\n  state s: real[2] = 0;\n  signal y: real[2];\n  update {\n    s' = 0.5 * s + x;\n    y = tanh(s');\n  }\n}\n");
            var unit = AeCompiler.Check(cell).Program!.Units[0];
            Assert.NotNull(EmittedLaw.Compile(CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Cells" }), "Named" + name).GetType("AE.Cells." + typeName + "`1"));
        }

        /// <summary>A lagged cell is AE0080, not emitted as the unlagged cell under the variant's name.</summary>
        [Fact]
        public void A_lagged_cell_is_refused_not_emitted_unlagged()
        {
            var file = new SourceFile("lag.ae", "cell Lg {\n  input x: real[2];\n  signal y: real[2], m: real;\n  update {\n    y = 2 * x;\n    m = mean(y);\n  }\n}\ncell LgLag = Lg lagged;\n");
            var result = AeCompiler.Check(file);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            var d = Assert.Single(EmitProbe.NotEmitted(result.Program!, new Dictionary<string, SourceFile> { [file.Path] = file }));
            Assert.Equal("lag.ae(9,6): warning AE0080: cell 'LgLag' is checked but not emitted as C#: cell 'LgLag' is lagged; the cell backend emits cells that are not lagged so far (a lagged cell is not differentiated either)", d.ToMsBuildString());
        }

        /// <summary>
        /// A dim derived from the run-time dim (w = n - 3, v = 2 w) is checked when the law is built: below 1 the C# law
        /// and the interpreter both refuse with the same words, naming the dim, its value and n; at the edge (w = 1) both run.
        /// </summary>
        [Fact]
        public void A_derived_dim_below_1_is_refused_by_the_law_and_the_interpreter_alike()
        {
            var unit = TestSupport.Check(@"law Derived {
  dim n;
  dim w = n - 3;
  dim v = 2 * w;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state f: real[v] = 0;
  signal s: real;
  update { s = sum(f) + loss; f' = f + 1; theta' = theta - 0.01 * grad; }
}").Program!.Units[0];
            var type = EmittedLaw.Compile(CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" }), "Derived").GetType("AE.Laws.Derived")!;
            const string Expected = "dimension 'w' = n - 3 is -1 for n = 2; a dimension must be at least 1 and at most 2147483647";
            var thrown = Assert.Throws<System.Reflection.TargetInvocationException>(() => Activator.CreateInstance(type, 2, null, 0UL));
            var dim = Assert.IsType<DimOutOfRangeException>(thrown.InnerException);
            // named by the run-time dim the law does not run at, as a free length is: n = 2
            Assert.Equal(("n", 2L), (dim.Dim, dim.Value));
            Assert.StartsWith(Expected, dim.Message, StringComparison.Ordinal);
            var interpreted = Assert.Throws<AE.Dsl.IR.DimValueException>(() => new Interpreter(unit, new Dictionary<string, int> { ["n"] = 2 }));
            Assert.StartsWith(Expected, interpreted.Message, StringComparison.Ordinal);
            Assert.Equal(("n", 2, Expected), (interpreted.Dim, interpreted.Value, interpreted.Text));
            Assert.StartsWith("dimension 'w' = n - 3 is 0 for n = 3;", Assert.Throws<AE.Dsl.IR.DimValueException>(() => new Interpreter(unit, new Dictionary<string, int> { ["n"] = 3 })).Message, StringComparison.Ordinal);

            var law = (IOptimizerLaw)Activator.CreateInstance(type, 4, null, 0UL)!;
            var interpreter = new Interpreter(unit, new Dictionary<string, int> { ["n"] = 4 });
            law.Step(1.0, new double[] { 1, 1, 1, 1 }, new double[4]);
            interpreter.Step(new Dictionary<string, double[]> { ["loss"] = new[] { 1.0 }, ["grad"] = new double[] { 1, 1, 1, 1 } });
            Assert.Equal(interpreter.Get("s")[0], law.ReadSignal(law.SignalNames.ToList().IndexOf("s")));
        }

        /// <summary>
        /// A vector length written over the run-time dim (real[3 * n], real[n - 2]) is checked when the law is built, as a
        /// derived dim is, before anything is sized: 3 n beyond an int (n = 1e9) wrapped around in the generated int
        /// arithmetic, and n - 2 = 0 sized an empty vector. The C# law and the interpreter refuse with the same words.
        /// </summary>
        [Fact]
        public void A_vector_length_over_the_run_time_dim_is_checked_when_the_law_is_built()
        {
            var unit = TestSupport.Check(@"law Lengths {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state s: real[3 * n] = 0;
  state v: real[n - 2] = 1;
  signal t: real;
  fixed rule M { t = sum(s) + sum(v) + loss; s' = s + 1; v' = v * 0.5; theta' = theta - 0.01 * grad; }
}").Program!.Units[0];
            var type = EmittedLaw.Compile(CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" }), "Lengths").GetType("AE.Laws.Lengths")!;
            foreach (var (n, message) in new[]
            {
                (1_000_000_000, "length 3*n is 3000000000 for n = 1000000000; a dimension must be at least 1 and at most 2147483647"),
                (2, "length n - 2 is 0 for n = 2; a dimension must be at least 1 and at most 2147483647"),
            })
            {
                var thrown = Assert.Throws<System.Reflection.TargetInvocationException>(() => Activator.CreateInstance(type, n, null, 0UL));
                var dim = Assert.IsType<DimOutOfRangeException>(thrown.InnerException);
                Assert.Equal(("n", (long)n), (dim.Dim, dim.Value));
                Assert.StartsWith(message, dim.Message, StringComparison.Ordinal);
                var interpreted = Assert.Throws<AE.Dsl.IR.DimValueException>(() => new Interpreter(unit, new Dictionary<string, int> { ["n"] = n }));
                Assert.StartsWith(message, interpreted.Message, StringComparison.Ordinal);
            }
            var law = (IOptimizerLaw)Activator.CreateInstance(type, 3, null, 0UL)!;
            law.Step(1.0, new double[3], new double[3]);
            Assert.Equal(0 + 1 + 1.0, law.ReadSignal(law.SignalNames.ToList().IndexOf("t")));   // sum(s) = 0, sum(v) = 1 (n - 2 = 1 element), loss 1
        }

        /// <summary>
        /// Checks the checker cannot make because they read the run-time dim (its value is known only when the law is built:
        /// a coefficient's bounds, a require over a dim derived from it, a filter's rate) are made by the constructor, as
        /// the dim's error naming n and its value; one that also reads a param names both, as a settings error. At n = 4
        /// the bounds [0, n - 5] are empty; at 5 they hold only 0, not the initial 0.5; at 6 the rate 6 / n is 1; at 7
        /// w = 5 is not > 5; at 8 k n = 8 is not > 8; at 9 everything holds.
        /// </summary>
        [Fact]
        public void Checks_that_read_the_run_time_dim_are_made_when_the_law_is_built()
        {
            var unit = TestSupport.Check(@"law Sized {
  dim n;
  dim w = n - 2;
  param k = 1;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff a in [0, n - 5] = 0.5;
  require wide: w > 5;
  require product: k * n > 8;
  fixed rule M { theta' = theta - a * grad * ema(6 / n, loss); }
}").Program!.Units[0];
            var type = EmittedLaw.Compile(CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" }), "Sized").GetType("AE.Laws.Sized")!;
            foreach (var (n, message) in new[]
            {
                (4, "the bounds of 'a' are empty: [0, -1]"),
                (5, "the initial value of 'a' must lie in its bounds [0, 0]"),
                (6, "the rate 6 / n of a filter must lie in [0, 1)"),
                (7, "require 'wide' (w > 5) does not hold with the given dims"),
            })
            {
                var thrown = Assert.Throws<System.Reflection.TargetInvocationException>(() => Activator.CreateInstance(type, n, null, 0UL));
                var dim = Assert.IsType<DimOutOfRangeException>(thrown.InnerException);
                Assert.Equal(("n", (long)n), (dim.Dim, dim.Value));
                Assert.StartsWith(message, dim.Message, StringComparison.Ordinal);
            }
            var both = Assert.IsType<ParamOutOfRangeException>(Assert.Throws<System.Reflection.TargetInvocationException>(() => Activator.CreateInstance(type, 8, null, 0UL)).InnerException);
            Assert.Equal("k, n", both.Param);
            Assert.StartsWith("require 'product' ((k * n) > 8) does not hold with the given params and dims", both.Message, StringComparison.Ordinal);
            var law = (IOptimizerLaw)Activator.CreateInstance(type, 9, null, 0UL)!;
            var theta = new double[9];
            law.Step(1.0, Enumerable.Repeat(1.0, 9).ToArray(), theta);
            Assert.All(theta, t => Assert.True(t < 0));
        }

        /// <summary>
        /// The longest names the checker allows (AE0019: 255 characters), of letters three UTF-8 bytes long, on a param, a
        /// state, a signal and a rule: the C# compiles (.NET keeps names of at most 1023 bytes), and the param is found by
        /// its .ae name through Options.ParamNames and ParamProperties, also where its property is renamed.
        /// </summary>
        [Fact]
        public void The_longest_names_compile_and_params_are_found_by_their_ae_names()
        {
            string name = new string('\u0905', 255);
            var unit = TestSupport.Check("law LongNames {\n  dim n;\n  param " + name + " = 0.5, Step = 2;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
                + "  state " + name[..254] + "s: real[n] = 0;\n  signal " + name[..254] + "g: real = 0;\n"
                + "  rule " + name[..254] + "r { " + name[..254] + "g = loss * " + name + "; }\n"
                + "  update { " + name[..254] + "s' = " + name[..254] + "s + grad; theta' = theta - 0.1 * Step * " + name + " * " + name[..254] + "s'; }\n}\n").Program!.Units[0];
            var code = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" });
            var type = EmittedLaw.Compile(code, "LongNames").GetType("AE.Laws.LongNames")!;
            var options = type.GetNestedType("Options")!;
            var names = (IReadOnlyList<string>)options.GetProperty("ParamNames")!.GetValue(null)!;
            var properties = (IReadOnlyList<string>)options.GetProperty("ParamProperties")!.GetValue(null)!;
            Assert.Equal(new[] { name, "Step" }, names);
            Assert.Equal(new[] { name, "Step_" }, properties);
            var law = (IOptimizerLaw)Activator.CreateInstance(type, 2, null, 0UL)!;
            var theta = new double[] { 1, 1 };
            law.Step(1.0, new double[] { 1, 2 }, theta);
            Assert.Equal(new[] { 1 - 0.1 * 2 * 0.5 * 1, 1 - 0.1 * 2 * 0.5 * 2 }, theta);
        }

        [Fact]
        public void Emitted_code_is_deterministic_and_names_every_rule_and_equation()
        {
            var unit = SgdmUnit(out var file);
            var first = CSharpEmitter.Emit(unit, Options(file));
            var second = CSharpEmitter.Emit(SgdmUnit(out _), Options(file));
            Assert.Equal(first, second);
            Assert.StartsWith("// <auto-generated/>\n", first);
            Assert.DoesNotContain("\r", first);
            foreach (var r in unit.Rules)
                Assert.Contains(r.IsUpdate ? "// ---- update" : $"rule {r.Id} \"", first);
            Assert.Contains("// alpha' = max(alpha_min, alpha' / 1.25)", first);
            // The #line before the resonance clamp's statement points at its line in the .ae file.
            int line = TestSupport.LineColumn(file.Text, file.Text.IndexOf("alpha' = max(alpha_min, alpha' / 1.25)", StringComparison.Ordinal)).Line;
            var at = first.IndexOf("// alpha' = max(alpha_min, alpha' / 1.25)", StringComparison.Ordinal);
            Assert.StartsWith($"#line {line} \"laws/ae_sgdm.ae\"", first.Substring(first.IndexOf('\n', at) + 1));
        }
    }
}
