using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AE.Dsl.Emit;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Dsl.Passes;
using AE.Dsl.Text;
using AE.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AE.Dsl.Tests.Fuzz
{
    /// <summary>Something a clean program did wrong: where, and what.</summary>
    internal sealed record FuzzFailure(string Kind, int Seed, string Unit, string Program, string Detail)
    {
        public override string ToString() =>
            $"{Kind} in {Unit} (seed {Seed}):\n{Detail}\n--- program (seed {Seed}) ---\n{Program}";
    }

    /// <summary>One law or variant of a checked program, emitted as C# into its own namespace.</summary>
    internal sealed class FuzzUnit
    {
        public int Seed;
        public string Program = "";
        public string Name = "";
        public IrUnit Base = null!;
        /// <summary>The unit as its type is emitted: the base without the variant's rules.</summary>
        public IrUnit Emitted = null!;
        public string[] Ablate = Array.Empty<string>();
        public bool Lagged;
        public string Namespace = "";
        public string Code = "";
        /// <summary>Why the law is not compared with the interpreter (issue "noise"), or null.</summary>
        public string? NotComparable;
        public Type? Law;
        public Type? Population;
    }

    /// <summary>
    /// Emits, compiles (many units in one Roslyn compilation) and runs checked programs: every law and
    /// variant against the reference interpreter with the scalar and the SIMD kernels, and its
    /// population's controller 0 against the law.
    /// </summary>
    internal static class FuzzHarness
    {
        public const int Steps = 5;
        public const int Small = 3;
        /// <summary>Above AeSimd.AutoThreshold, below one chunk.</summary>
        public const int Large = 300;
        private const int Controllers = 3;
        private const double Tolerance = 1e-9;

        /// <summary>Counters for the report.</summary>
        public sealed class Stats
        {
            public int NotEmitted;
            public int Units;
            public int Runs;
            public int NotComparable;
            public int IllConditioned;
            public readonly List<string> NotEmittedReasons = new();
            /// <summary>How often each kind of reason (its text up to the first quote) came.</summary>
            public readonly SortedDictionary<string, int> NotEmittedKinds = new(StringComparer.Ordinal);
        }

        // ------------------------------------------------------------ emit

        /// <summary>Every law and variant of a clean program, emitted as the source generator does (AeCheckRunner).</summary>
        public static List<FuzzUnit> Emit(int seed, SourceFile file, CheckResult check, List<FuzzFailure> failures, Stats stats)
        {
            var result = new List<FuzzUnit>();
            var program = check.Program!;
            var sources = new Dictionary<string, SourceFile>(StringComparer.Ordinal) { [file.Path] = file };
            int index = 0;
            void One(IrUnit unit, string typeName, string[] ablate, bool lagged)
            {
                var ns = "Fuzz.S" + seed.ToString(CultureInfo.InvariantCulture) + ".U" + (index++).ToString(CultureInfo.InvariantCulture);
                var options = new CSharpEmitOptions { Namespace = ns, TypeName = typeName, Ablate = ablate, Lagged = lagged, Sources = sources, LinePath = p => p };
                try
                {
                    var code = CSharpEmitter.Emit(unit, options);
                    var emitted = ablate.Length > 0 ? Ablation.Apply(unit, ablate) : unit;
                    result.Add(new FuzzUnit
                    {
                        Seed = seed, Program = file.Text, Name = typeName, Base = unit, Emitted = emitted, Ablate = ablate, Lagged = lagged,
                        Namespace = ns, Code = code, NotComparable = SideEffectPerElement(FilterHoisting.Apply(emitted, lagged)),
                    });
                }
                catch (EmitNotSupportedException ex)
                {
                    // A documented limit (AE0080 in a build), not a failure.
                    lock (stats)
                    {
                        stats.NotEmitted++;
                        if (stats.NotEmittedReasons.Count < 20) stats.NotEmittedReasons.Add($"seed {seed} {typeName}: {ex.Message}");
                        var kind = ex.Message.Split('\'')[0].Trim();
                        stats.NotEmittedKinds[kind] = stats.NotEmittedKinds.TryGetValue(kind, out var k) ? k + 1 : 1;
                    }
                }
                catch (Exception ex)
                {
                    failures.Add(new FuzzFailure("emitter exception", seed, typeName, file.Text, ex.ToString()));
                }
            }
            foreach (var unit in program.Units) One(unit, unit.Name, Array.Empty<string>(), false);
            foreach (var v in program.Variants)
            {
                var unit = program.Units.First(u => u.Name == v.Base);
                One(unit, v.Name, v.Without.ToArray(), v.Lagged);
            }
            return result;
        }

        /// <summary>
        /// A scalar filter that the backends leave inside a vector context (<see cref="FilterHoisting"/> moves
        /// every other out: the one left is in a lagged law's reduction) runs once per element in the emitted law
        /// and once per step in the interpreter. Such a law is compiled and its kernels and population are
        /// compared with each other, not with the interpreter. (A scalar noise() there is element 0 of its site
        /// wherever it is computed: the same draw, so it needs no exception.)
        /// </summary>
        public static string? SideEffectPerElement(IrUnit unit)
        {
            static bool Scalar(IrExpr e) => e is IrFilter;
            bool InReductions(IrExpr e) => IrFacts.Descendants(e).OfType<IrCall>().Where(IrFacts.IsReduction)
                .Any(c => c.Args.Any(a => IrFacts.Descendants(a).Any(Scalar)));
            IrType? TargetType(IrStmt s) => s switch
            {
                IrDefine d => unit.Signals.FirstOrDefault(x => x.Name == d.Name)?.Type ?? unit.Locals.FirstOrDefault(x => x.Name == d.Name)?.Type ?? d.Value.Type,
                IrSetNext n => unit.States.First(x => x.Name == n.Name).Type,
                IrAccumulate a => unit.Accs.First(x => x.Name == a.Name).Type,
                _ => null,
            };
            string? Walk(IEnumerable<IrStmt> body)
            {
                foreach (var s in body)
                {
                    if (s is IrWhen w)
                    {
                        if (InReductions(w.Condition)) return "a filter or noise() in a reduction's argument";
                        var inner = Walk(w.Then) ?? Walk(w.Else);
                        if (inner != null) return inner;
                        continue;
                    }
                    foreach (var e in IrFacts.OwnExpressions(s))
                    {
                        if (TargetType(s) is { IsScalar: false } && IrFacts.Descendants(e).Any(Scalar)) return "a scalar filter or noise() in a vector statement";
                        if (InReductions(e)) return "a filter or noise() in a reduction's argument";
                    }
                }
                return null;
            }
            foreach (var r in unit.Rules)
            {
                var why = Walk(r.Body);
                if (why != null) return why;
            }
            return null;
        }

        /// <summary>The whole pipeline for one program: check, emit, compile, run. Null when it passes (or does not check).</summary>
        public static FuzzFailure? CheckEmitCompileRun(int seed, string text, bool allowWarnings) => CheckEmitCompileRun(seed, text, allowWarnings, new Stats());

        public static FuzzFailure? CheckEmitCompileRun(int seed, string text, bool allowWarnings, Stats stats)
        {
            var file = new SourceFile("fuzz/seed" + seed.ToString(CultureInfo.InvariantCulture) + ".ae", text);
            var check = AeCompiler.Check(file);
            if (check.HasErrors || (!allowWarnings && check.Diagnostics.Count > 0) || check.Program == null) return null;
            var failures = new List<FuzzFailure>();
            var units = Emit(seed, file, check, failures, stats);
            if (failures.Count > 0) return failures[0];
            if (units.Count == 0) return null;
            Compile(units, failures);
            if (failures.Count > 0) return failures[0];
            foreach (var u in units)
            {
                var f = Run(u, stats);
                if (f != null) return f;
            }
            return null;
        }

        // ------------------------------------------------------------ compile

        /// <summary>
        /// Compiles every unit in one compilation. Units of a program with a Roslyn error or warning are
        /// reported (the program's first diagnostic) and left out; the rest are compiled again.
        /// </summary>
        public static Assembly? Compile(List<FuzzUnit> units, List<FuzzFailure> failures)
        {
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            var trees = new SyntaxTree[units.Count];
            Parallel.For(0, units.Count, i => trees[i] = CSharpSyntaxTree.ParseText(units[i].Code, parse, path: units[i].Namespace + ".g.cs", encoding: Encoding.UTF8));
            var byTree = new Dictionary<SyntaxTree, FuzzUnit>();
            for (int i = 0; i < units.Count; i++) byTree[trees[i]] = units[i];
            var live = trees.ToList();
            for (int round = 0; round < 4 && live.Count > 0; round++)
            {
                var compilation = CSharpCompilation.Create("Fuzz" + Guid.NewGuid().ToString("N"), live, EmittedLaw.References,
                    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                        nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
                using var ms = new MemoryStream();
                var emit = compilation.Emit(ms);
                var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
                if (emit.Success && problems.Count == 0)
                {
                    var asm = Assembly.Load(ms.ToArray());
                    Bind(asm, live.Select(t => byTree[t]));
                    return asm;
                }
                var badSeeds = new HashSet<int>();
                foreach (var group in problems.GroupBy(d => d.Location.SourceTree))
                {
                    if (group.Key == null || !byTree.TryGetValue(group.Key, out var unit))
                    {
                        failures.Add(new FuzzFailure("Roslyn diagnostic without a source", -1, "?", "", string.Join("\n", group)));
                        return null;
                    }
                    if (!badSeeds.Add(unit.Seed)) continue;
                    var first = group.OrderBy(d => d.Location.SourceSpan.Start).First();
                    var line = first.Location.GetLineSpan().StartLinePosition.Line;
                    var lines = unit.Code.Split('\n');
                    var context = string.Join("\n", Enumerable.Range(Math.Max(0, line - 3), Math.Min(6, lines.Length - Math.Max(0, line - 3)))
                        .Select(i => $"{i + 1,6}{(i == line ? ">" : ":")} {lines[i]}"));
                    failures.Add(new FuzzFailure("compile error", unit.Seed, unit.Name, unit.Program,
                        first.Id + " " + first.GetMessage(CultureInfo.InvariantCulture) + $" (generated line {line + 1}; {group.Count()} diagnostics in this unit)\n" + context));
                }
                if (badSeeds.Count == 0)
                {
                    failures.Add(new FuzzFailure("compilation failed without diagnostics", -1, "?", "", ""));
                    return null;
                }
                live = live.Where(t => !badSeeds.Contains(byTree[t].Seed)).ToList();
                foreach (var u in units.Where(u => badSeeds.Contains(u.Seed))) u.Law = u.Population = null;
            }
            return null;
        }

        private static void Bind(Assembly asm, IEnumerable<FuzzUnit> units)
        {
            var byNamespace = asm.GetTypes().Where(t => !t.IsNested).GroupBy(t => t.Namespace ?? "").ToDictionary(g => g.Key, g => g.ToList());
            foreach (var u in units)
            {
                if (!byNamespace.TryGetValue(u.Namespace, out var types)) continue;
                u.Law = types.FirstOrDefault(t => t.GetNestedType("Options") != null);
                u.Population = types.FirstOrDefault(t => t != u.Law && t.Name.EndsWith("Population", StringComparison.Ordinal));
            }
        }

        // ------------------------------------------------------------ run

        /// <summary>What a step leaves readable: every scalar by name, every vector (host state, owned state, vector signal) by name.</summary>
        private sealed class Observation
        {
            public readonly List<(string Name, double Value)> Scalars = new();
            public readonly List<(string Name, double[] Values)> Vectors = new();
        }

        /// <summary>Inputs and initial host state for one run, deterministic per seed and size.</summary>
        private sealed class Scenario
        {
            public Dictionary<string, int> Dims = new(StringComparer.Ordinal);
            public Dictionary<string, double[]> HostInit = new(StringComparer.Ordinal);
            /// <summary>Initial values of owned state, for the interpreter only (the ill-conditioning probe).</summary>
            public Dictionary<string, double[]> StateInit = new(StringComparer.Ordinal);
            /// <summary>Params given through Options (real params without a declared range, now and then), as the interpreter takes them.</summary>
            public Dictionary<string, double[]> Overrides = new(StringComparer.Ordinal);
            public List<Dictionary<string, double[]>> Inputs = new();
        }

        private static Scenario MakeScenario(IrUnit unit, int n, int seed)
        {
            var s = new Scenario();
            var rng = new Random(seed * 7919 + n);
            bool first = true;
            foreach (var d in unit.Dims.Where(d => d.IsRuntime))
            {
                s.Dims[d.Name] = first ? n : n < 4 ? 2 : 5;
                first = false;
            }
            int Len(IrType t) => Length(t, s.Dims);
            foreach (var p in unit.Params)
                if (p.Type.Scalar == ScalarType.Real && p.Range == null && rng.Next(3) == 0)
                    s.Overrides[p.Name] = Enumerable.Range(0, Len(p.Type)).Select(_ => Math.Round(rng.NextDouble() * 3 - 1.5, 3)).ToArray();
            foreach (var h in CSharpEmitter.HostStates(unit))
                s.HostInit[h.Name] = Enumerable.Range(0, Len(h.Type)).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            for (int step = 0; step < Steps; step++)
            {
                var inputs = new Dictionary<string, double[]>(StringComparer.Ordinal);
                foreach (var i in unit.Inputs)
                {
                    inputs[i.Name] = Enumerable.Range(0, Len(i.Type)).Select(_ => i.Type.Scalar switch
                    {
                        ScalarType.Bool => rng.Next(2),
                        ScalarType.Int => rng.Next(-3, 6),
                        _ => Math.Round(rng.NextDouble() * 4 - 2, 6),
                    }).ToArray();
                }
                s.Inputs.Add(inputs);
            }
            return s;
        }

        /// <summary>Runs one unit; returns a failure description, or null.</summary>
        public static FuzzFailure? Run(FuzzUnit u, Stats stats)
        {
            if (u.Law == null) return null;
            Interlocked.Increment(ref stats.Units);
            try
            {
                foreach (var n in new[] { Small, Large })
                {
                    var fail = RunSize(u, n, stats);
                    if (fail != null) return fail;
                }
                if (u.Ablate.Length == 0 && !u.Lagged) return RunSwitched(u, stats);
                return null;
            }
            catch (Exception ex)
            {
                var inner = ex is TargetInvocationException { InnerException: { } ie } ? ie : ex;
                return Fail(u, "exception", inner.ToString());
            }
        }

        private static FuzzFailure Fail(FuzzUnit u, string kind, string detail) => new(kind, u.Seed, u.Name, u.Program, detail);

        private static FuzzFailure? RunSize(FuzzUnit u, int n, Stats stats)
        {
            var scenario = MakeScenario(u.Emitted, n, u.Seed);
            ulong seed = (ulong)(u.Seed % 1000) + 1;
            List<Observation>? reference = null;
            if (u.NotComparable == null)
                reference = Interpret(u, scenario, seed, Array.Empty<string>());
            else Interlocked.Increment(ref stats.NotComparable);

            var scalar = Drive(u, scenario, seed, StepKernel.Scalar, Array.Empty<string>());
            Interlocked.Increment(ref stats.Runs);
            if (reference != null)
            {
                var d = Compare(reference, scalar, exact: true);
                if (d != null) return Fail(u, "divergence", $"Kernel = Scalar, n = {n}, compared with the interpreter: {d}");
            }
            var simd = Drive(u, scenario, seed, StepKernel.Simd, Array.Empty<string>());
            Interlocked.Increment(ref stats.Runs);
            // No vector has a whole SIMD lane (4 elements): the SIMD form runs the scalar code only.
            bool exact = u.Emitted.Dims.All(d => Length(IrType.Vector(ScalarType.Real, d.IsRuntime ? DimExpr.Symbol(d.Name) : d.Value), scenario.Dims) < 4);
            if (reference != null)
            {
                var d = Compare(reference, simd, exact);
                if (d != null && !exact)
                {
                    // Reductions sum in another order: a law whose values move by more than the tolerance when its
                    // inputs move by 1e-13 cannot be compared with a tolerance.
                    if (IllConditioned(u, n, seed, reference)) { Interlocked.Increment(ref stats.IllConditioned); d = null; }
                }
                if (d != null) return Fail(u, "divergence", $"Kernel = Simd, n = {n}, compared with the interpreter{(exact ? " (bit for bit: no whole SIMD lane)" : $" (tolerance {Tolerance})")}: {d}");
            }
            else
            {
                // Still one law: the SIMD form of a short vector runs the scalar code.
                if (exact)
                {
                    var d = Compare(scalar, simd, exact: true);
                    if (d != null) return Fail(u, "divergence", $"Kernel = Simd against Kernel = Scalar, n = {n}: {d}");
                }
            }
            if (u.Population != null)
            {
                var pop = DrivePopulation(u, scenario, n, seed, Array.Empty<string>());
                Interlocked.Increment(ref stats.Runs);
                var d = Compare(scalar, pop, exact: true);
                if (d != null) return Fail(u, "divergence", $"population controller 0 against the law (Kernel = Scalar), n = {n}: {d}");
            }
            return null;
        }

        /// <summary>Rules switched off at run time: the law's SetRule against the interpreter's ablation, and the population's SetRule.</summary>
        private static FuzzFailure? RunSwitched(FuzzUnit u, Stats stats)
        {
            var switchable = u.Emitted.Rules.Where(r => r.Ablatable).Select(r => r.Id).ToList();
            if (switchable.Count == 0) return null;
            var rng = new Random(u.Seed);
            var off = switchable.Where(_ => rng.Next(2) == 0).ToList();
            if (off.Count == 0) off.Add(switchable[rng.Next(switchable.Count)]);
            var scenario = MakeScenario(u.Emitted, Small, u.Seed + 1);
            ulong seed = 3;
            var law = Drive(u, scenario, seed, StepKernel.Scalar, off);
            Interlocked.Increment(ref stats.Runs);
            if (u.NotComparable == null)
            {
                var reference = Interpret(u, scenario, seed, off);
                var d = Compare(reference, law, exact: true);
                if (d != null) return Fail(u, "divergence", $"rules {string.Join(", ", off)} switched off with SetRule, n = {Small}, compared with the interpreter's ablation: {d}");
            }
            if (u.Population != null)
            {
                var pop = DrivePopulation(u, scenario, Small, seed, off);
                Interlocked.Increment(ref stats.Runs);
                var d = Compare(law, pop, exact: true);
                if (d != null) return Fail(u, "divergence", $"rules {string.Join(", ", off)} switched off with SetRule, population controller 0 against the law, n = {Small}: {d}");
            }
            return null;
        }

        /// <summary>
        /// Whether moving the law's inputs, params and initial state by 1e-12 (relative; all up, all down, then at
        /// random) moves its values by more than the tolerance, the interpreter against itself: then a sum the SIMD
        /// loops add in another order may fall on the other side of an edge (a remainder, a comparison).
        /// </summary>
        private static bool IllConditioned(FuzzUnit u, int n, ulong seed, List<Observation> reference)
        {
            const double Delta = 1e-12;
            for (int probe = 0; probe < 4; probe++)
            {
                var rng = new Random(probe);
                double Factor() => probe switch { 0 => 1 + Delta, 1 => 1 - Delta, _ => 1 + Delta * (2 * rng.NextDouble() - 1) };
                double[] Move(double[] v) => v.Select(x => x * Factor()).ToArray();
                var s = MakeScenario(u.Emitted, n, u.Seed);
                foreach (var inputs in s.Inputs)
                    foreach (var i in u.Emitted.Inputs.Where(x => x.Type.Scalar == ScalarType.Real)) inputs[i.Name] = Move(inputs[i.Name]);
                foreach (var h in s.HostInit.Keys.ToList()) s.HostInit[h] = Move(s.HostInit[h]);
                var start = new Interpreter(u.Base, s.Dims, s.Overrides, s.HostInit, u.Ablate, seed, u.Lagged);
                foreach (var param in u.Base.Params.Where(x => x.Type.Scalar == ScalarType.Real)) s.Overrides[param.Name] = Move(start.Get(param.Name));
                foreach (var state in u.Base.States.Where(x => x.Type.Scalar == ScalarType.Real && !s.HostInit.ContainsKey(x.Name)))
                    s.StateInit[state.Name] = Move(start.Get(state.Name));
                var perturbed = Interpret(u, s, seed, Array.Empty<string>());
                if (Compare(reference, perturbed, exact: false) != null) return true;
            }
            return false;
        }

        // ------------------------------------------------------------ comparing

        private static bool Same(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b) || (double.IsNaN(a) && double.IsNaN(b));

        private static bool Close(double a, double b) => Same(a, b) || (double.IsFinite(a) && double.IsFinite(b) && Math.Abs(a - b) <= Tolerance * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b))));

        private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>The first difference, as "step s, name[i]: expected x, got y", or null.</summary>
        private static string? Compare(List<Observation> expected, List<Observation> actual, bool exact)
        {
            for (int step = 0; step < expected.Count; step++)
            {
                var e = expected[step];
                var a = actual[step];
                var names = string.Join(",", e.Scalars.Select(x => x.Name));
                if (names != string.Join(",", a.Scalars.Select(x => x.Name))) return $"readable scalars differ: {names} vs {string.Join(",", a.Scalars.Select(x => x.Name))}";
                for (int i = 0; i < e.Scalars.Count; i++)
                {
                    var (name, x) = e.Scalars[i];
                    var y = a.Scalars[i].Value;
                    if (!(exact ? Same(x, y) : Close(x, y))) return $"after step {step + 1}, {name}: expected {R(x)}, got {R(y)}";
                }
                foreach (var (name, xs) in e.Vectors)
                {
                    var ys = a.Vectors.FirstOrDefault(v => v.Name == name).Values;
                    if (ys == null) return $"vector {name} is not readable";
                    for (int i = 0; i < xs.Length; i++)
                        if (!(exact ? Same(xs[i], ys[i]) : Close(xs[i], ys[i]))) return $"after step {step + 1}, {name}[{i}]: expected {R(xs[i])}, got {R(ys[i])}";
                }
            }
            return null;
        }

        // ------------------------------------------------------------ the interpreter

        private static List<Observation> Interpret(FuzzUnit u, Scenario s, ulong seed, IReadOnlyList<string> off)
        {
            var init = s.HostInit.Concat(s.StateInit).ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
            var interp = new Interpreter(u.Base, s.Dims, s.Overrides, init, u.Ablate.Concat(off), seed, u.Lagged);
            var names = ScalarNames(u.Emitted);
            var vectors = VectorNames(u.Emitted);
            var result = new List<Observation>();
            foreach (var inputs in s.Inputs)
            {
                interp.Step(inputs);
                var o = new Observation();
                foreach (var name in names) o.Scalars.Add((name, interp.Scalar(name)));
                foreach (var name in vectors) o.Vectors.Add((name, (double[])interp.Get(name).Clone()));
                result.Add(o);
            }
            return result;
        }

        /// <summary>The law's SignalNames: scalar signals, scalar state and coefficients, scalar accumulators.</summary>
        private static List<string> ScalarNames(IrUnit unit) =>
            unit.Signals.Where(x => x.Type.IsScalar).Select(x => x.Name)
                .Concat(unit.States.Where(x => x.Type.IsScalar).Select(x => x.Name))
                .Concat(unit.Accs.Where(x => x.Type.IsScalar).Select(x => x.Name)).ToList();

        /// <summary>Host state, owned vector state and vector signals.</summary>
        private static List<string> VectorNames(IrUnit unit) =>
            unit.States.Where(x => !x.Type.IsScalar).Select(x => x.Name)
                .Concat(unit.Signals.Where(x => !x.Type.IsScalar).Select(x => x.Name)).ToList();

        // ------------------------------------------------------------ the law

        private static List<Observation> Drive(FuzzUnit u, Scenario s, ulong seed, StepKernel kernel, IReadOnlyList<string> off)
        {
            var type = u.Law!;
            var runtime = u.Emitted.Dims.Where(d => d.IsRuntime).Select(d => (object)s.Dims[d.Name]).ToList();
            var law = Activator.CreateInstance(type, runtime.Concat(new object?[] { Options(type, u.Emitted, s), seed }).ToArray())!;
            type.GetProperty("Kernel")!.SetValue(law, kernel);
            var setRule = type.GetMethod("SetRule", new[] { typeof(string), typeof(bool) })!;
            foreach (var id in off) setRule.Invoke(law, new object[] { id, false });
            var step = StepMethod(type, population: false);
            var invoke = Invoker(step);
            var hosts = CSharpEmitter.HostStates(u.Emitted).ToList();
            var hostArrays = hosts.ToDictionary(h => h.Name, h => (double[])s.HostInit[h.Name].Clone());
            var names = (IReadOnlyList<string>)type.GetProperty("SignalNames", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            var readSignal = type.GetMethod("ReadSignal", new[] { typeof(int) })!;
            var readers = VectorNames(u.Emitted).Where(v => !hostArrays.ContainsKey(v)).Select(v => (v, SpanReader(type, u.Emitted, v))).ToList();
            var result = new List<Observation>();
            foreach (var inputs in s.Inputs)
            {
                var ps = step.GetParameters();
                var args = new object[ps.Length];
                int k = 0;
                foreach (var i in u.Emitted.Inputs) { args[k] = Arg(ps[k].ParameterType, inputs[i.Name]); k++; }
                foreach (var h in hosts) { args[k] = hostArrays[h.Name]; k++; }
                if (k != ps.Length) throw new InvalidOperationException($"Step has {ps.Length} parameters; the law has {k} inputs and host states");
                invoke(law, args);
                var o = new Observation();
                for (int i = 0; i < names.Count; i++) o.Scalars.Add((names[i], (double)readSignal.Invoke(law, new object[] { i })!));
                foreach (var name in VectorNames(u.Emitted))
                    o.Vectors.Add((name, hostArrays.TryGetValue(name, out var h) ? (double[])h.Clone() : readers.First(r => r.v == name).Item2(law)));
                result.Add(o);
            }
            return result;
        }

        /// <summary>K controllers; controller 0 gets the law's inputs, the others their own.</summary>
        private static List<Observation> DrivePopulation(FuzzUnit u, Scenario s, int n, ulong seed, IReadOnlyList<string> off)
        {
            var type = u.Population!;
            var runtime = u.Emitted.Dims.Where(d => d.IsRuntime).Select(d => (object)s.Dims[d.Name]).ToList();
            var options = Array.CreateInstance(u.Law!.GetNestedType("Options")!, Controllers);
            for (int j = 0; j < Controllers; j++) options.SetValue(Options(u.Law!, u.Emitted, s), j);
            var pop = Activator.CreateInstance(type, new object[] { Controllers }.Concat(runtime).Concat(new object?[] { options, seed }).ToArray())!;
            var setRule = type.GetMethod("SetRule", new[] { typeof(string), typeof(bool) })!;
            foreach (var id in off) setRule.Invoke(pop, new object[] { id, false });
            var step = StepMethod(type, population: true);
            var invoke = Invoker(step);
            var hosts = CSharpEmitter.HostStates(u.Emitted).ToList();
            var others = MakeScenario(u.Emitted, n, u.Seed + 12345);
            var hostArrays = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var h in hosts)
            {
                var mine = s.HostInit[h.Name];
                var theirs = others.HostInit[h.Name];
                var a = new double[mine.Length * Controllers];
                for (int i = 0; i < mine.Length; i++)
                    for (int j = 0; j < Controllers; j++) a[i * Controllers + j] = j == 0 ? mine[i] : theirs[i] * j;
                hostArrays[h.Name] = a;
            }
            var names = (IReadOnlyList<string>)type.GetProperty("SignalNames", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            var readSignal = type.GetMethod("ReadSignal", new[] { typeof(int), typeof(int) })!;
            var readers = VectorNames(u.Emitted).Where(v => !hostArrays.ContainsKey(v)).ToDictionary(v => v, v => ElementReader(type, u.Law!, u.Emitted, v));
            var result = new List<Observation>();
            for (int t = 0; t < s.Inputs.Count; t++)
            {
                var ps = step.GetParameters();
                var args = new object[ps.Length];
                int k = 0;
                foreach (var i in u.Emitted.Inputs)
                {
                    var mine = s.Inputs[t][i.Name];
                    var theirs = others.Inputs[t][i.Name];
                    var all = new double[mine.Length * Controllers];
                    for (int e = 0; e < mine.Length; e++)
                        for (int j = 0; j < Controllers; j++) all[e * Controllers + j] = j == 0 ? mine[e] : theirs[e];
                    args[k] = Arg(ps[k].ParameterType, all);
                    k++;
                }
                foreach (var h in hosts) { args[k] = hostArrays[h.Name]; k++; }
                if (k != ps.Length) throw new InvalidOperationException($"the population's Step has {ps.Length} parameters; the law has {k} inputs and host states");
                invoke(pop, args);
                var o = new Observation();
                for (int i = 0; i < names.Count; i++) o.Scalars.Add((names[i], (double)readSignal.Invoke(pop, new object[] { 0, i })!));
                foreach (var name in VectorNames(u.Emitted))
                {
                    if (hostArrays.TryGetValue(name, out var h))
                    {
                        var mine = new double[h.Length / Controllers];
                        for (int i = 0; i < mine.Length; i++) mine[i] = h[i * Controllers];
                        o.Vectors.Add((name, mine));
                    }
                    else
                    {
                        var reader = readers[name];
                        int len = Length(VectorType(u.Emitted, name), s.Dims);
                        o.Vectors.Add((name, Enumerable.Range(0, len).Select(i => (double)reader.Invoke(pop, new object[] { 0, i })!).ToArray()));
                    }
                }
                result.Add(o);
            }
            return result;
        }

        private static IrType VectorType(IrUnit unit, string name) =>
            unit.States.FirstOrDefault(x => x.Name == name)?.Type ?? unit.Signals.First(x => x.Name == name).Type;

        /// <summary>The law's Options with the scenario's params set.</summary>
        private static object Options(Type law, IrUnit unit, Scenario s)
        {
            var type = law.GetNestedType("Options")!;
            var options = Activator.CreateInstance(type)!;
            foreach (var kv in s.Overrides)
            {
                var prop = Candidates(kv.Key, law, unit).Select(c => type.GetProperty(c)).FirstOrDefault(x => x != null)
                    ?? throw new InvalidOperationException($"{law.Name}.Options has no property for param '{kv.Key}'");
                var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                prop.SetValue(options, t == typeof(double[]) ? kv.Value.ToArray() : kv.Value[0]);
            }
            return options;
        }

        /// <summary>The double-precision Step: the overload without float.</summary>
        private static MethodInfo StepMethod(Type type, bool population)
        {
            static bool HasFloat(Type t) => t == typeof(float) || (t.IsGenericType && t.GetGenericArguments()[0] == typeof(float));
            var steps = type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.Name == "Step" && !m.GetParameters().Any(p => HasFloat(p.ParameterType))).ToList();
            if (steps.Count != 1) throw new InvalidOperationException($"{type.Name} has {steps.Count} double Step methods");
            return steps[0];
        }

        /// <summary>A value as the Step parameter takes it: double, bool, or an array for a span.</summary>
        private static object Arg(Type p, double[] values)
        {
            if (p == typeof(double)) return values[0];
            if (p == typeof(bool)) return values[0] != 0;
            if (p == typeof(long)) return (long)values[0];
            var element = p.GetGenericArguments()[0];
            if (element == typeof(double)) return values.ToArray();
            if (element == typeof(bool)) return values.Select(v => v != 0).ToArray();
            throw new InvalidOperationException("unexpected Step parameter type " + p);
        }

        /// <summary>Calls Step(args): spans cannot go through reflection, so a small dynamic method converts arrays.</summary>
        private static Action<object, object[]> Invoker(MethodInfo m)
        {
            var dm = new DynamicMethod("Invoke_" + m.DeclaringType!.Name, null, new[] { typeof(object), typeof(object[]) }, typeof(FuzzHarness).Module, skipVisibility: true);
            var il = dm.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Castclass, m.DeclaringType!);
            var ps = m.GetParameters();
            for (int i = 0; i < ps.Length; i++)
            {
                var t = ps[i].ParameterType;
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldc_I4, i);
                il.Emit(OpCodes.Ldelem_Ref);
                if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(Span<>) || t.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>)))
                {
                    var array = t.GetGenericArguments()[0].MakeArrayType();
                    il.Emit(OpCodes.Castclass, array);
                    il.Emit(OpCodes.Call, t.GetMethod("op_Implicit", new[] { array })!);
                }
                else il.Emit(OpCodes.Unbox_Any, t);
            }
            il.Emit(OpCodes.Call, m);
            il.Emit(OpCodes.Ret);
            return (Action<object, object[]>)dm.CreateDelegate(typeof(Action<object, object[]>));
        }

        /// <summary>Members of every law type (UnitEmitter.GeneratedMembers): an AE name equal to one gets a trailing '_'.</summary>
        private static readonly HashSet<string> LawMembers = new(StringComparer.Ordinal)
        {
            "Options", "Rules", "Enabled", "StepCount", "Step", "MaxThreads", "Kernel", "ReadSignal", "SetRule", "SignalNames", "RuleIds",
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
        };

        /// <summary>Members of every population type (PopulationWriter.GeneratedMembers).</summary>
        private static readonly HashSet<string> PopulationMembers = new(StringComparer.Ordinal)
        {
            "Count", "StepCount", "Step", "ReadSignal", "SetRule", "Enabled", "SetEnabled", "SignalNames", "RuleIds",
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
        };

        /// <summary>
        /// The metadata name of the member the backend makes for an AE name (Names.Member): the name, or, when it
        /// equals a generated member or the type (or the law's type, for a population) or is 'nameof', the name with
        /// '_' appended until it equals neither those nor another name the unit declares.
        /// </summary>
        private static IEnumerable<string> Candidates(string name, Type type, IrUnit unit, Type? law = null)
        {
            bool Clash(string id) => law == null
                ? LawMembers.Contains(id) || id == type.Name
                : PopulationMembers.Contains(id) || id == type.Name || id == law.Name;
            var unitIds = new HashSet<string>(unit.Dims.Select(x => x.Name).Concat(unit.Params.Select(x => x.Name)).Concat(unit.Inputs.Select(x => x.Name))
                .Concat(unit.States.Select(x => x.Name)).Concat(unit.Signals.Select(x => x.Name)).Concat(unit.Accs.Select(x => x.Name))
                .Concat(unit.Locals.Select(x => x.Name)).Concat(unit.Nets.Select(x => x.Name)), StringComparer.Ordinal);
            var id = name;
            if (Clash(id) || id == "nameof")
            {
                do id += "_"; while (Clash(id) || unitIds.Contains(id));
            }
            yield return id;
        }

        /// <summary>Reads a ReadOnlySpan&lt;double&gt; property (an owned vector or a vector signal) into an array.</summary>
        private static Func<object, double[]> SpanReader(Type type, IrUnit unit, string name)
        {
            var prop = Candidates(name, type, unit).Select(c => type.GetProperty(c, BindingFlags.Public | BindingFlags.Instance)).FirstOrDefault(p => p != null && p.PropertyType == typeof(ReadOnlySpan<double>))
                ?? throw new InvalidOperationException($"{type.Name} has no ReadOnlySpan<double> property for '{name}'");
            var dm = new DynamicMethod("Read_" + prop.Name, typeof(double[]), new[] { typeof(object) }, typeof(FuzzHarness).Module, skipVisibility: true);
            var il = dm.GetILGenerator();
            var local = il.DeclareLocal(typeof(ReadOnlySpan<double>));
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Castclass, type);
            il.Emit(OpCodes.Call, prop.GetGetMethod()!);
            il.Emit(OpCodes.Stloc, local);
            il.Emit(OpCodes.Ldloca, local);
            il.Emit(OpCodes.Call, typeof(ReadOnlySpan<double>).GetMethod("ToArray")!);
            il.Emit(OpCodes.Ret);
            return (Func<object, double[]>)dm.CreateDelegate(typeof(Func<object, double[]>));
        }

        /// <summary>A population's reader of one controller's vector element: name(controller, index).</summary>
        private static MethodInfo ElementReader(Type type, Type law, IrUnit unit, string name) =>
            Candidates(name, type, unit, law).Select(c => type.GetMethod(c, new[] { typeof(int), typeof(int) })).FirstOrDefault(x => x != null && x.ReturnType == typeof(double))
                ?? throw new InvalidOperationException($"{type.Name} has no reader {name}(int, int)");

        private static int Length(IrType t, Dictionary<string, int> dims)
        {
            if (t.IsScalar) return 1;
            long v = t.Shape[0].Constant;
            foreach (var term in t.Shape[0].Terms) v += term.Value * dims[term.Key];
            return (int)v;
        }
    }
}
