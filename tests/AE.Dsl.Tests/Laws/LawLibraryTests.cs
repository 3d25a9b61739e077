using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using AE.Dsl.Emit;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Dsl.Text;
using AE.Runtime;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The law library: laws/ae_rules.ae (AE-1..AE-10 as rule groups and two laws composed from them),
    /// laws/ae_adam.ae (AE-Adam/AdamW), laws/ae_ensemble.ae (the seed's AEEnsemble) and
    /// laws/ae_sgdm_phase.ae (AE-SGDm with a repaired resonance clamp), run by the reference interpreter
    /// on the golden problems of ../shared/golden and through the C# backend.
    /// </summary>
    public class LawLibraryTests
    {
        public static readonly string[] NewFiles = { "ae_rules.ae", "ae_adam.ae", "ae_ensemble.ae", "ae_sgdm_phase.ae" };

        private const double QuadraticOptimum = -13.0 / 6.0;   // 0.5 x'Ax - b'x with A = diag(3, 1), b = (1, -2)

        // ---------- loading ----------

        private static SourceFile Source(string file) => SourceFile.FromBytes("laws/" + file, File.ReadAllBytes(Path.Combine(RepoPaths.Laws, file)));

        private static CheckResult CheckAlone(string file) => AeCompiler.Check(Source(file));

        private static readonly Lazy<Dictionary<string, IrUnit>> AllUnits = new(() =>
        {
            var result = AeCompiler.Check(NewFiles.Append("ae_sgdm.ae").Select(Source).ToArray());
            Assert.True(result.Diagnostics.Count == 0, TestSupport.Format(result.Diagnostics));
            return result.Program!.Units.ToDictionary(u => u.Name, StringComparer.Ordinal);
        });

        private static IrUnit Unit(string name) => AllUnits.Value[name];

        /// <summary>The optimizer-shaped laws of the new files.</summary>
        public static readonly string[] OptimizerLaws = { "AeSgdmField", "AeAdamField", "AeAdam", "AeSgdmPhase" };

        public static TheoryData<string> Files()
        {
            var data = new TheoryData<string>();
            foreach (var f in NewFiles) data.Add(f);
            return data;
        }

        public static TheoryData<string> Optimizers()
        {
            var data = new TheoryData<string>();
            foreach (var f in OptimizerLaws) data.Add(f);
            return data;
        }

        // ---------- the golden quadratic and a run ----------

        private sealed record Case(GoldenProblem Problem, double[] Theta0, int Steps, JsonElement Root);

        private static Case Golden(string name)
        {
            var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(SeedConformanceTests.Golden, name + ".json")));
            var root = json.RootElement;
            return new Case(GoldenProblem.From(root.GetProperty("problem")),
                root.GetProperty("theta0").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                root.GetProperty("steps").GetInt32(), root);
        }

        /// <summary>
        /// Settings for a law on a golden case: the case's config and agent settings for the AE-SGDm laws
        /// (they have every one as a param), the case's initial learning rate for the Adam laws.
        /// </summary>
        private static Dictionary<string, double[]> Settings(string law, Case c, params (string Name, double Value)[] extra)
        {
            var unit = Unit(law);
            var settings = law.StartsWith("AeAdam", StringComparison.Ordinal)
                ? new Dictionary<string, double[]> { ["init_alpha"] = new[] { c.Root.GetProperty("agent").GetProperty("init_alpha").GetDouble() } }
                : SeedConformanceTests.SeedSettings(c.Root, unit.Params.Select(p => p.Name));
            foreach (var (name, value) in extra) settings[name] = new[] { value };
            return settings;
        }

        /// <summary>
        /// Runs an optimizer law on a problem; <paramref name="delay"/> > 0 hands it the gradient of the
        /// iterate that many steps back (the loss stays current): the delayed-gradient quadratic.
        /// </summary>
        private static (Interpreter Law, List<double> Losses) Run(string law, Case c, int steps, IReadOnlyDictionary<string, double[]> settings,
            IEnumerable<string>? ablated = null, int delay = 0, Action<int, Interpreter, double>? observe = null)
        {
            var interp = new Interpreter(Unit(law), new Dictionary<string, int> { ["n"] = c.Theta0.Length }, settings,
                new Dictionary<string, double[]> { ["theta"] = c.Theta0 }, ablated);
            var history = new List<double[]>();
            var losses = new List<double>();
            for (int t = 1; t <= steps; t++)
            {
                var theta = (double[])interp.Get("theta").Clone();
                history.Add(theta);
                var (loss, grad) = c.Problem.Evaluate(theta);
                if (delay > 0) grad = c.Problem.Evaluate(history[Math.Max(0, history.Count - 1 - delay)]).Grad;
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                losses.Add(loss);
                observe?.Invoke(t, interp, loss);
            }
            return (interp, losses);
        }

        private static double FinalLoss(Interpreter law, Case c) => c.Problem.Evaluate(law.Get("theta")).Loss;

        /// <summary>Every scalar value a law exposes after a step: coefficients, scalar state and scalar signals.</summary>
        private static IEnumerable<string> ScalarNames(IrUnit unit) =>
            unit.States.Where(s => s.Type.IsScalar).Select(s => s.Name)
                .Concat(unit.Signals.Where(s => s.Type.IsScalar).Select(s => s.Name));

        // ---------- checking and emitting ----------

        [Theory]
        [MemberData(nameof(Files))]
        public void New_law_file_checks_clean_on_its_own(string file)
        {
            var result = CheckAlone(file);
            Assert.True(result.Diagnostics.Count == 0, TestSupport.Format(result.Diagnostics));
            Assert.NotEmpty(result.Program!.Units);
        }

        [Fact]
        public void All_law_files_check_clean_together()
        {
            Assert.Equal(new[] { "AeAdam", "AeAdamField", "AeEnsemble", "AeSgdm", "AeSgdmField", "AeSgdmPhase" },
                AllUnits.Value.Keys.OrderBy(k => k, StringComparer.Ordinal));
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void Every_law_of_the_file_emits_csharp_that_compiles(string file)
        {
            var result = CheckAlone(file);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            foreach (var unit in result.Program!.Units)
            {
                var code = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" });
                var asm = EmittedLaw.Compile(code, unit.Name);
                Assert.NotNull(asm.GetType("AE.Laws." + unit.Name));
            }
        }

        [Theory]
        [MemberData(nameof(Optimizers))]
        public void Emitted_law_matches_the_interpreter_bit_for_bit_on_the_quadratic(string law)
        {
            var unit = Unit(law);
            Assert.True(CSharpEmitter.IsOptimizerShape(unit));
            var c = Golden("quadratic_2d");
            var settings = Settings(law, c);
            var code = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Laws" });
            var type = EmittedLaw.Compile(code, law).GetType("AE.Laws." + law)!;
            var optionsType = type.GetNestedType("Options")!;
            var options = Activator.CreateInstance(optionsType)!;
            foreach (var kv in settings)
            {
                var prop = optionsType.GetProperty(kv.Key)!;
                var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                prop.SetValue(options, t == typeof(bool) ? kv.Value[0] != 0 : t == typeof(long) ? (object)(long)kv.Value[0] : kv.Value[0]);
            }
            var emitted = (IOptimizerLaw)Activator.CreateInstance(type, c.Theta0.Length, options, 0UL)!;
            var theta = (double[])c.Theta0.Clone();
            var signals = emitted.SignalNames.ToList();
            Run(law, c, 300, settings, observe: (step, interp, loss) =>
            {
                var (_, grad) = c.Problem.Evaluate(theta);
                emitted.Step(loss, grad, theta);
                Assert.True(theta.SequenceEqual(interp.Get("theta")), $"{law} step {step}: theta differs");
                foreach (var name in ScalarNames(unit).Where(signals.Contains))
                {
                    double a = emitted.ReadSignal(signals.IndexOf(name)), b = interp.Scalar(name);
                    Assert.True(a.Equals(b), $"{law} step {step}: {name} is {a:R} emitted, {b:R} interpreted");
                }
            });
        }

        // ---------- the groups: shared, and written out verbatim where a file cannot use them ----------

        private static Dictionary<string, string> GroupBodies()
        {
            var text = File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_rules.ae")).Replace("\r\n", "\n");
            return Regex.Matches(text, "^group (\\w+) \"[^\"]*\" \\{\\n(.*?)^\\}\\n", RegexOptions.Singleline | RegexOptions.Multiline)
                .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.TrimEnd('\n'), StringComparer.Ordinal);
        }

        [Fact]
        public void The_groups_cover_AE1_to_AE10_and_both_laws_of_ae_rules_share_them()
        {
            var groups = GroupBodies();
            Assert.Equal(new[] { "AntiWindup", "Brake", "Budget", "BudgetDual", "Coupling", "Drive", "Evolution", "Gauge", "Lyapunov", "Measurement", "Noise", "PhaseResonance", "Resonance", "SmoothDrive" },
                groups.Keys.OrderBy(k => k, StringComparer.Ordinal));
            var sgdm = Unit("AeSgdmField").Rules.Where(r => r.Group != null).Select(r => r.Group!).ToHashSet();
            var adam = Unit("AeAdamField").Rules.Where(r => r.Group != null).Select(r => r.Group!).ToHashSet();
            Assert.Superset(new HashSet<string> { "Measurement", "Brake", "Noise", "Coupling", "Budget", "Evolution", "BudgetDual", "Lyapunov" }, sgdm.Intersect(adam).ToHashSet());
            var ids = Unit("AeSgdmField").Rules.Select(r => r.Id).Concat(Unit("AeAdamField").Rules.Select(r => r.Id)).ToHashSet();
            foreach (var law in new[] { "AE1", "AE2", "AE3", "AE4", "AE5", "AE6", "AE6d", "AE7", "AE8", "AE8w", "AE10" }) Assert.Contains(law, ids);
            // AE-9: the smooth drive is a smooth rule, and the checker holds it to that.
            Assert.True(Unit("AeAdamField").Rules.Single(r => r.Id == "AE2").Smooth);
            var rules = File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_rules.ae"));
            var broken = AeCompiler.Check(new SourceFile("laws/ae_rules.ae", rules.Replace("eta_a * softclamp(u_alpha, -u_max, u_max)", "eta_a * clamp(u_alpha, -u_max, u_max)")));
            Assert.Contains(broken.Diagnostics, d => d.Id == "AE0040");
        }

        [Theory]
        [InlineData("ae_adam.ae", "Measurement,Brake,SmoothDrive,Noise,Coupling,Budget,Evolution,PhaseResonance,BudgetDual,Lyapunov")]
        [InlineData("ae_sgdm_phase.ae", "Gauge,AntiWindup,PhaseResonance,Lyapunov")]
        public void A_law_that_cannot_use_the_groups_contains_their_rules_verbatim(string file, string groupList)
        {
            var groups = GroupBodies();
            var text = File.ReadAllText(Path.Combine(RepoPaths.Laws, file)).Replace("\r\n", "\n");
            foreach (var g in groupList.Split(','))
                Assert.True(text.Contains(groups[g], StringComparison.Ordinal), $"{file} does not contain the rules of group {g} verbatim");
        }

        [Fact]
        public void AeAdam_written_out_runs_bit_identical_to_AeAdamField_composed_from_the_groups()
        {
            var c = Golden("quadratic_2d");
            var settings = Settings("AeAdam", c, ("sigma_max", 1e-3));   // noise on: the draws must match too
            var names = ScalarNames(Unit("AeAdam")).ToList();
            Assert.Equal(names, ScalarNames(Unit("AeAdamField")));
            var trace = new List<double[]>();
            var (field, _) = Run("AeAdamField", c, 300, settings, observe: (_, law, _) => trace.Add(names.Select(law.Scalar).Concat(law.Get("theta")).ToArray()));
            Run("AeAdam", c, 300, settings, observe: (step, law, _) =>
                Assert.True(trace[step - 1].SequenceEqual(names.Select(law.Scalar).Concat(law.Get("theta"))), $"step {step} differs"));
            Assert.True(field.Scalar("sigma") > 0);
            Assert.Equal(Unit("AeAdamField").Rules.Select(r => r.Id), Unit("AeAdam").Rules.Select(r => r.Id));
        }

        [Theory]
        [MemberData(nameof(SeedConformanceTests.Cases), MemberType = typeof(SeedConformanceTests))]
        public void AeSgdmField_without_its_section_4_additions_is_the_seed_law_bit_for_bit(string name)
        {
            // eta_lambda = 0 keeps lambda at 0 (budget scale 1), C = 0 removes the coupling, AE8w off.
            var c = Golden(name);
            var field = Settings("AeSgdmField", c, ("eta_lambda", 0), ("c_am", 0));
            var seed = Settings("AeSgdm", c);
            var columns = new[] { "L", "T", "V", "S", "rho", "alpha", "mu", "sigma", "gamma", "gnorm" };
            var trace = new List<double[]>();
            Run("AeSgdm", c, c.Steps, seed, observe: (_, law, _) => trace.Add(columns.Select(law.Scalar).Concat(law.Get("theta")).ToArray()));
            Run("AeSgdmField", c, c.Steps, field, ablated: new[] { "AE8w" }, observe: (step, law, _) =>
                Assert.True(trace[step - 1].SequenceEqual(columns.Select(law.Scalar).Concat(law.Get("theta"))), $"{name} step {step} differs"));
        }

        // ---------- a gradient whose squared norm overflows ----------

        /// <summary>
        /// Rosenbrock with b = 1e190 from (-3, 4): every gradient element is finite (about 1e191) but its square is not, so
        /// the gradient variance S is NaN. The seed's _clip and _budget (Python's min and max) turn a NaN into the upper
        /// bound; a law whose groups used the language's clamp (which keeps NaN) went to NaN, theta included.
        /// </summary>
        private static Case OverflowingRosenbrock() => FromJson("""
            {"problem":{"kind":"rosenbrock","a":1.0,"b":1e190},"theta0":[-3.0,4.0],"steps":3,
             "config":{"sigma_max":0.0},"agent":{"init_alpha":0.001,"init_mu":0.9}}
            """);

        private static Case FromJson(string json)
        {
            var root = JsonDocument.Parse(json).RootElement;
            return new Case(GoldenProblem.From(root.GetProperty("problem")),
                root.GetProperty("theta0").EnumerateArray().Select(e => e.GetDouble()).ToArray(), root.GetProperty("steps").GetInt32(), root);
        }

        /// <summary>The seed's own AEAgent (seed 001's AE.py, float64) on <see cref="OverflowingRosenbrock"/>: alpha, mu, theta per step.</summary>
        private static readonly double[][] SeedOnOverflow =
        {
            new[] { 9.048374180359607e-05, 0.49919919431802223, 1e6, 1e6 },
            new[] { 6.549846024623869e-06, 0.49858532158202734, -1e6, 1e6 },
            new[] { 1e-06, 0.498089871863658, 1e6, 1e6 },
        };

        [Theory]
        [InlineData("AeSgdm")]
        [InlineData("AeSgdmField")]
        public void A_gradient_whose_square_overflows_steps_as_the_seed_does(string law)
        {
            var c = OverflowingRosenbrock();
            var settings = Settings(law, c);
            if (law == "AeSgdmField") { settings["eta_lambda"] = new[] { 0.0 }; settings["c_am"] = new[] { 0.0 }; }
            Run(law, c, c.Steps, settings, ablated: law == "AeSgdmField" ? new[] { "AE8w" } : null, observe: (step, l, _) =>
            {
                var seed = SeedOnOverflow[step - 1];
                var mine = new[] { l.Scalar("alpha"), l.Scalar("mu"), l.Get("theta")[0], l.Get("theta")[1] };
                for (int i = 0; i < seed.Length; i++)
                    Assert.True(Math.Abs(mine[i] - seed[i]) <= 1e-12 * Math.Abs(seed[i]), $"{law} step {step}: {string.Join(", ", mine)} against the seed's {string.Join(", ", seed)}");
                Assert.True(double.IsNaN(l.Scalar("S")), "the case no longer overflows the gradient variance");
            });
        }

        [Theory]
        [MemberData(nameof(Optimizers))]
        public void A_gradient_whose_square_overflows_leaves_every_coefficient_and_theta_finite(string law)
        {
            var c = OverflowingRosenbrock();
            var unit = Unit(law);
            Run(law, c, c.Steps, Settings(law, c), observe: (step, l, _) =>
            {
                foreach (var coeff in unit.States.Where(s => s.Type.IsScalar && s.Kind == SymbolKind.Coeff).Select(s => s.Name))
                    Assert.True(double.IsFinite(l.Scalar(coeff)), $"{law} step {step}: {coeff} = {l.Scalar(coeff)}");
                Assert.All(l.Get("theta"), t => Assert.True(double.IsFinite(t), $"{law} step {step}: theta {t}"));
            });
        }

        // ---------- the improved law ----------

        [Fact]
        public void AeSgdmPhase_reaches_the_optimum_of_quadratic_2d_where_the_seed_law_stalls()
        {
            var c = Golden("quadratic_2d");
            var (seed, _) = Run("AeSgdm", c, 300, Settings("AeSgdm", c));
            var (phase, _) = Run("AeSgdmPhase", c, 300, Settings("AeSgdmPhase", c));
            double seedLoss = FinalLoss(seed, c), phaseLoss = FinalLoss(phase, c);
            Assert.True(seedLoss > -1.0, $"the seed law no longer stalls: {seedLoss:R}");
            Assert.True(Math.Abs(phaseLoss - QuadraticOptimum) < 1e-3, $"AeSgdmPhase ends at {phaseLoss:R}, optimum {QuadraticOptimum:R}");
            Assert.Equal(1e-6, seed.Scalar("alpha"));              // the seed's clamp collapsed alpha to alpha_min
            Assert.True(phase.Scalar("alpha") > 1e-2);
            Assert.Equal(310, phase.Scalar("quiet"));              // 10 + 300: the repaired clamp never fired
        }

        /// <summary>
        /// The repaired AE-5 fires at most once per `refractory` steps, its default 1/(1 - beta_T) = 10 at beta_T = 0.9
        /// (10.000000000000002 in float64: the period is rounded to whole steps). With V_max_mult = 0 and the stall band
        /// wide, the spike condition holds on every step, so the law shrinks exactly every period.
        /// </summary>
        [Theory]
        [InlineData("AeSgdmPhase", null, 10)]
        [InlineData("AeAdam", null, 10)]
        [InlineData("AeAdamField", null, 10)]
        [InlineData("AeSgdmPhase", 3.0, 3)]
        [InlineData("AeSgdmPhase", 4.4, 4)]
        [InlineData("AeSgdmPhase", 4.6, 5)]
        public void The_repaired_resonance_fires_once_per_refractory_period(string law, double? refractory, int period)
        {
            var c = Golden("rosenbrock_2d");
            var settings = Settings(law, c, ("V_max_mult", 0), ("tau_T_stall", 1e6));
            if (refractory is double r) settings["refractory"] = new[] { r };
            var fired = new List<int>();
            Run(law, c, 60, settings, observe: (step, l, _) => { if (l.Scalar("quiet") == 1) fired.Add(step); });
            Assert.Equal(Enumerable.Range(0, fired.Count).Select(i => 1 + i * period), fired);
            Assert.True(fired.Count >= 60 / period, string.Join(", ", fired));
        }

        [Theory]
        [InlineData(4, 0.2, true)]
        [InlineData(4, 0.3, true)]
        [InlineData(2, 0.3, false)]
        [InlineData(8, 0.3, false)]
        public void AeSgdmPhase_still_damps_real_oscillation_on_the_delayed_gradient_quadratic(int delay, double initAlpha, bool openLoopOscillates)
        {
            // The golden quadratic with the gradient of the iterate `delay` steps back and a large initial
            // learning rate: a step that is too large for stale gradients makes the iterate oscillate.
            var c = Golden("quadratic_2d");
            var settings = Settings("AeSgdmPhase", c, ("init_alpha", initAlpha));
            int shrinks = 0;
            var (phase, _) = Run("AeSgdmPhase", c, 600, settings, delay: delay, observe: (_, law, _) => { if (law.Scalar("quiet") == 1) shrinks++; });
            double phaseLoss = FinalLoss(phase, c);
            Assert.True(Math.Abs(phaseLoss - QuadraticOptimum) < 1e-3, $"AeSgdmPhase ends at {phaseLoss:R} with {delay}-step-stale gradients");
            Assert.InRange(shrinks, 1, 20);
            // The seed law stalls short of the optimum here too, its alpha collapsed.
            var (seed, _) = Run("AeSgdm", c, 600, Settings("AeSgdm", c, ("init_alpha", initAlpha)), delay: delay);
            Assert.True(FinalLoss(seed, c) - QuadraticOptimum > 1e-3);
            // The seed law without its clamp (and this law without AE5) keep oscillating.
            if (openLoopOscillates)
            {
                var (open, _) = Run("AeSgdmPhase", c, 600, settings, ablated: new[] { "AE5" }, delay: delay);
                Assert.True(FinalLoss(open, c) > 0, $"without AE5 the law ends at {FinalLoss(open, c):R}");
                var (seedOpen, _) = Run("AeSgdm", c, 600, Settings("AeSgdm", c, ("init_alpha", initAlpha)), ablated: new[] { "AE5" }, delay: delay);
                Assert.True(FinalLoss(seedOpen, c) > 0, $"the seed law without AE5 ends at {FinalLoss(seedOpen, c):R}");
            }
        }

        // ---------- AE-Adam ----------

        [Fact]
        public void AeAdam_closes_90_percent_of_the_gap_on_quadratic_2d()
        {
            var c = Golden("quadratic_2d");
            double prod1 = 1, prod2 = 1;
            var (adam, losses) = Run("AeAdam", c, 300, Settings("AeAdam", c), observe: (step, law, _) =>
            {
                // Bias correction with time-varying betas: p1, p2 are the products of the betas each step used.
                prod1 *= law.Scalar("mu");
                prod2 *= law.Scalar("beta2");
                Assert.Equal(prod1, law.Scalar("p1"));
                Assert.Equal(prod2, law.Scalar("p2"));
            });
            double start = losses[0], end = FinalLoss(adam, c);
            Assert.True(start - end >= 0.9 * (start - QuadraticOptimum), $"AeAdam went from {start:R} to {end:R}; optimum {QuadraticOptimum:R}");
            Assert.NotEqual(Math.Pow(0.9, 300), adam.Scalar("p1"));    // beta1 did vary
            foreach (var coeff in new[] { "alpha", "mu", "beta2", "eps", "wd" })
            {
                var s = Unit("AeAdam").States.Single(x => x.Name == coeff);
                Assert.Equal(SymbolKind.Coeff, s.Kind);
                Assert.NotNull(s.Bounds);
            }
            Assert.True(Unit("AeAdam").States.Where(s => s.Name is "alpha" or "eps" or "wd").All(s => s.LogSpace));
        }

        [Fact]
        public void AeAdam_coefficients_respond_as_section_6_says()
        {
            // Synthetic observations: 100 steps of a converging loss with aligned gradients, then 60 steps
            // of an unstable loop (the loss jumps by 10 and the gradient reverses every step). Section 6:
            // beta1 tracks rho, beta2 rises with V, eps grows with instability and relaxes with quality.
            var unit = Unit("AeAdam");
            var law = new Interpreter(unit, new Dictionary<string, int> { ["n"] = 2 }, null,
                new Dictionary<string, double[]> { ["theta"] = new[] { 0.0, 0.0 } });
            var at = new Dictionary<int, (double Mu, double Beta2, double Eps)>();
            for (int t = 1; t <= 160; t++)
            {
                bool calm = t <= 100;
                double loss = calm ? Math.Exp(-0.05 * t) : (t % 2 == 0 ? 10.0 : 0.0);
                var grad = calm ? new[] { 0.5, 0.5 } : (t % 2 == 0 ? new[] { 1.0, 1.0 } : new[] { -1.0, -1.0 });
                law.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                if (t is 50 or 100 or 160) at[t] = (law.Scalar("mu"), law.Scalar("beta2"), law.Scalar("eps"));
            }
            Assert.True(at[100].Mu > at[50].Mu, $"beta1 did not rise while the gradients aligned: {at[50].Mu} -> {at[100].Mu}");
            Assert.True(at[100].Eps < at[50].Eps, $"eps did not relax during quality steps: {at[50].Eps} -> {at[100].Eps}");
            Assert.True(at[160].Mu < at[100].Mu, $"beta1 did not fall when the gradient reversed: {at[100].Mu} -> {at[160].Mu}");
            Assert.True(at[160].Beta2 > at[100].Beta2, $"beta2 did not rise with the variance: {at[100].Beta2} -> {at[160].Beta2}");
            Assert.True(at[160].Eps > at[100].Eps, $"eps did not grow with instability: {at[100].Eps} -> {at[160].Eps}");
            Assert.Contains(unit.Rules, r => r.Id == "AE2adam" && r.Smooth);
        }

        // ---------- the ensemble ----------
        // Run through the C# backend: the reference interpreter has no one-argument min/max reduction
        // yet (it throws "no scalar meaning for min"), which the law needs for min_loss, max_loss and
        // the softmax shift.

        private delegate void EnsembleStep(ReadOnlySpan<double> losses, Span<double> alpha, Span<double> mu, Span<double> sigma);

        private delegate ReadOnlySpan<double> SpanGetter();

        private sealed class Ensemble
        {
            private static readonly Lazy<Type> Compiled = new(() =>
                EmittedLaw.Compile(CSharpEmitter.Emit(Unit("AeEnsemble"), new CSharpEmitOptions { Namespace = "AE.Laws" }), "AeEnsemble").GetType("AE.Laws.AeEnsemble")!);

            private readonly object _law;
            private readonly EnsembleStep _step;

            public Ensemble(int k)
            {
                _law = Activator.CreateInstance(Compiled.Value, k, null, 0UL)!;
                _step = (EnsembleStep)Delegate.CreateDelegate(typeof(EnsembleStep), _law, Compiled.Value.GetMethod("Step", new[] { typeof(ReadOnlySpan<double>), typeof(Span<double>), typeof(Span<double>), typeof(Span<double>) })!);
            }

            public void Step(double[] losses, double[] alpha, double[] mu, double[] sigma) => _step(losses, alpha, mu, sigma);

            public double Scalar(string name) => (double)Compiled.Value.GetProperty(name)!.GetValue(_law)!;

            public double[] W => ((SpanGetter)Delegate.CreateDelegate(typeof(SpanGetter), _law, Compiled.Value.GetProperty("w")!.GetMethod!))().ToArray();

            public void SetRule(string id, bool on) => Compiled.Value.GetMethod("SetRule")!.Invoke(_law, new object[] { id, on });
        }

        [Fact]
        public void AeEnsemble_weights_sum_to_one_and_the_consensus_moves_every_coefficient_toward_the_weighted_mean()
        {
            var alpha = new[] { 0.01, 0.02, 0.04 };
            var mu = new[] { 0.9, 0.5, 0.0 };
            var sigma = new[] { 0.0, 0.1, 0.2 };
            var before = (Alpha: (double[])alpha.Clone(), Mu: (double[])mu.Clone(), Sigma: (double[])sigma.Clone());
            var law = new Ensemble(3);
            law.Step(new[] { 1.0, 1.5, 3.0 }, alpha, mu, sigma);

            // By hand: beta_weight = 2, kappa = 0.25; exponents -2 (L - min L) = 0, -1, -4.
            double e0 = 1, e1 = Math.Exp(-1), e2 = Math.Exp(-4), z = e0 + e1 + e2;
            var w = new[] { e0 / z, e1 / z, e2 / z };
            double barAlpha = w[0] * 0.01 + w[1] * 0.02 + w[2] * 0.04;
            double barMu = w[0] * 0.9 + w[1] * 0.5 + w[2] * 0.0;
            double barSigma = w[0] * 0.0 + w[1] * 0.1 + w[2] * 0.2;

            var got = law.W;
            Assert.Equal(1.0, got.Sum(), 14);
            for (int k = 0; k < 3; k++) Assert.Equal(w[k], got[k], 15);
            Assert.Equal(barAlpha, law.Scalar("bar_alpha"), 15);
            Assert.Equal(barMu, law.Scalar("bar_mu"), 15);
            Assert.Equal(barSigma, law.Scalar("bar_sigma"), 15);
            Assert.Equal(1.0, law.Scalar("min_loss"));
            Assert.Equal(3.0, law.Scalar("max_loss"));
            Assert.Equal(5.5 / 3, law.Scalar("mean_loss"), 15);

            static void Toward(string name, double[] start, double[] after, double bar)
            {
                for (int k = 0; k < 3; k++)
                {
                    Assert.Equal(0.75 * start[k] + 0.25 * bar, after[k], 15);
                    Assert.True(Math.Abs(after[k] - bar) < Math.Abs(start[k] - bar), $"{name}[{k}] did not move toward the weighted mean");
                    Assert.Equal(Math.Sign(start[k] - bar), Math.Sign(after[k] - bar));   // toward, not past
                }
            }
            Toward("alpha", before.Alpha, alpha, barAlpha);
            Toward("mu", before.Mu, mu, barMu);
            Toward("sigma", before.Sigma, sigma, barSigma);
        }

        [Fact]
        public void AeEnsemble_survives_non_finite_losses_and_keeps_every_coefficient_in_its_bounds()
        {
            var law = new Ensemble(4);
            var alpha = new[] { 0.01, 0.02, 0.04, 0.08 };
            var mu = new[] { 0.9, 0.5, 0.0, 0.99 };
            var sigma = new[] { 0.0, 0.1, 0.2, 0.3 };
            var rng = new Random(7);
            for (int t = 0; t < 50; t++)
            {
                var losses = Enumerable.Range(0, 4).Select(_ => rng.NextDouble() * 3).ToArray();
                if (t == 10) losses[2] = double.NaN;
                if (t == 11) losses[1] = double.PositiveInfinity;
                if (t == 12) losses[0] = double.NegativeInfinity;
                law.Step(losses, alpha, mu, sigma);
                Assert.Equal(1.0, law.W.Sum(), 12);
                Assert.All(alpha, v => Assert.InRange(v, 1e-6, 1.0));
                Assert.All(mu, v => Assert.InRange(v, 0.0, 0.999));
                Assert.All(sigma, v => Assert.InRange(v, 0.0, 1.0));
            }
            // Consensus contracts the spread: after 50 steps every controller sits near the weighted mean.
            Assert.True(alpha.Max() - alpha.Min() < 1e-3);
        }

        [Fact]
        public void The_ensemble_runs_with_its_consensus_switched_off()
        {
            var law = new Ensemble(3);
            law.SetRule("consensus", false);
            var alpha = new[] { 0.01, 0.02, 0.04 };
            var mu = new[] { 0.9, 0.5, 0.0 };
            var sigma = new[] { 0.0, 0.1, 0.2 };
            for (int t = 0; t < 100; t++) law.Step(new[] { 1.0 + t, 2.0, 0.5 * t }, alpha, mu, sigma);
            Assert.Equal(new[] { 0.01, 0.02, 0.04 }, alpha);
            Assert.Equal(1.0, law.W.Sum(), 14);
            Assert.Equal(Unit("AeEnsemble").Rules.Where(r => r.Ablatable).Select(r => r.Id), new[] { "consensus" });
        }

        // ---------- ablation, AE-6 and AE-10 ----------

        [Theory]
        [MemberData(nameof(Optimizers))]
        public void Every_rule_can_be_switched_off_and_the_law_runs_100_steps_without_NaN(string law)
        {
            var unit = Unit(law);
            var c = Golden("quadratic_2d");
            var settings = Settings(law, c);
            var switchable = unit.Rules.Where(r => r.Ablatable).Select(r => r.Id).ToList();
            Assert.NotEmpty(switchable);
            foreach (var off in switchable.Select(id => new[] { id }).Append(switchable.ToArray()))
            {
                var (run, losses) = Run(law, c, 100, settings, ablated: off, observe: (step, interp, loss) =>
                {
                    Assert.All(interp.Get("theta"), v => Assert.False(double.IsNaN(v), $"{law} without {string.Join(",", off)}: theta is NaN at step {step}"));
                    foreach (var name in ScalarNames(unit))
                        Assert.False(double.IsNaN(interp.Scalar(name)), $"{law} without {string.Join(",", off)}: {name} is NaN at step {step}");
                });
                Assert.All(losses, l => Assert.True(double.IsFinite(l)));
            }
        }

        [Fact]
        public void The_budget_dual_variable_rises_when_a_step_exceeds_the_budget_and_then_scales_the_drive()
        {
            // AeSgdmField keeps the seed's resonance clamp: each shrink changes log alpha by log 1.25, an
            // adaptation energy of 0.05 against a budget of 1e-3, so lambda climbs and the drive is damped.
            var c = Golden("quadratic_2d");
            double maxLambda = 0, minScale = 1, lambdaBefore = 0;
            Run("AeSgdmField", c, 300, Settings("AeSgdmField", c), observe: (step, law, _) =>
            {
                Assert.Equal(1 / Math.Sqrt(1 + lambdaBefore), law.Scalar("budget_scale"), 15);
                double expected = Math.Max(0, lambdaBefore + 1.0 * (law.Scalar("adapt_energy") - 1e-3));
                Assert.Equal(expected, law.Scalar("lambda"), 12);
                lambdaBefore = law.Scalar("lambda");
                maxLambda = Math.Max(maxLambda, lambdaBefore);
                minScale = Math.Min(minScale, law.Scalar("budget_scale"));
            });
            Assert.True(maxLambda > 0.5, $"lambda peaked at {maxLambda}");
            Assert.True(minScale < 0.9, $"the budget scale never fell below {minScale}");
        }

        [Theory]
        [MemberData(nameof(Optimizers))]
        public void The_lyapunov_signal_is_finite_at_every_step(string law)
        {
            var c = Golden("quadratic_2d");
            Run(law, c, 300, Settings(law, c), observe: (step, interp, _) =>
                Assert.True(double.IsFinite(interp.Scalar("lyapunov")), $"{law}: lyapunov is {interp.Scalar("lyapunov")} at step {step}"));
        }

        [Theory]
        [InlineData("AeSgdmPhase")]
        [InlineData("AeAdam")]
        public void On_the_quadratic_a_stable_law_has_no_lyapunov_rise_over_the_last_100_steps(string law)
        {
            var c = Golden("quadratic_2d");
            var energy = new List<double>();
            Run(law, c, 300, Settings(law, c), observe: (_, interp, _) => energy.Add(interp.Scalar("lyapunov")));
            for (int t = 200; t < 300; t++)
                Assert.True(energy[t] <= energy[t - 1] + 1e-12, $"{law}: lyapunov rises at step {t + 1}: {energy[t - 1]:R} -> {energy[t]:R}");
            Assert.True(energy[299] < energy[199]);
        }

        [Fact]
        public void Without_the_anti_windup_the_gauge_winds_alpha_up_and_the_lyapunov_energy_rises_after_convergence()
        {
            // The finding behind AE8w: the seed's gauge keeps raising alpha once |g| -> 0, which AE-10 sees.
            var c = Golden("quadratic_2d");
            var energy = new List<double>();
            var (law, _) = Run("AeSgdmPhase", c, 300, Settings("AeSgdmPhase", c), ablated: new[] { "AE8w" }, observe: (_, interp, _) => energy.Add(interp.Scalar("lyapunov")));
            Assert.True(Math.Abs(FinalLoss(law, c) - QuadraticOptimum) < 1e-9);
            Assert.True(energy[299] > energy[199], $"lyapunov {energy[199]:R} -> {energy[299]:R}");
        }
    }
}
