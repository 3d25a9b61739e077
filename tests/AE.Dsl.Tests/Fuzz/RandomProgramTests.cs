using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using AE.Dsl.Text;
using Xunit;
using Xunit.Abstractions;

namespace AE.Dsl.Tests.Fuzz
{
    /// <summary>
    /// The random-program property: a program that checks clean emits C# that compiles without a warning,
    /// and every law and variant of it steps like the reference interpreter (bit for bit with the scalar
    /// loops, within a tight tolerance with the SIMD ones), its population's controller 0 like the law.
    /// AE_FUZZ_SCALE=k checks 2000k programs (seeds 1..2000k) and compiles and runs the first 80k clean
    /// ones; AE_FUZZ_SEED=s checks and runs the one program of seed s; AE_FUZZ_REDUCE=1 shrinks failing
    /// programs; AE_FUZZ_DUMP=dir writes them out; AE_FUZZ_ENABLE=flags turns generator flags on (see
    /// docs/csharp-backend.md, "The random-program property").
    /// </summary>
    public class RandomProgramTests
    {
        private readonly ITestOutputHelper _output;

        public RandomProgramTests(ITestOutputHelper output) { _output = output; }

        internal static int Scale => int.TryParse(Environment.GetEnvironmentVariable("AE_FUZZ_SCALE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;

        /// <summary>Programs checked, and the first clean ones of them compiled and run, at scale 1.</summary>
        private const int Checked = 2000, Run = 80;

        /// <summary>Programs per Roslyn compilation.</summary>
        private const int Batch = 100;

        /// <summary>
        /// The generator's settings for the property. Constructs behind a known bug that is being fixed
        /// elsewhere are off here, so that the property finds the other bugs; each has a regression test.
        /// </summary>
        internal static readonly GeneratorOptions Options = new()
        {
            // Each of these is a bug the property found (or one reported before), shown by the FuzzRegressionTests
            // test named here; turn it back on when that test passes.
            Unicode = true,                           // fixed: A_greek_coefficient_in_a_vector_statement_compiles
            LineSeparatorsInTitles = true,            // fixed: Titles_with_line_separators_stay_in_their_comments
            RulesNamedNoneOrAll = true,               // fixed: Rules_named_None_and_All_compile
            DerivedDims = true,                       // fixed: A_dim_derived_from_a_run_time_dim_compiles
            ConstructorParameterNames = true,         // fixed: State_named_like_the_constructors_parameters_is_initialised
            SelfAssignmentsAndComparisons = true,     // fixed: A_self_assignment_and_a_self_comparison_compile_without_warnings
            NextSuffixNames = false,                  // names with "__" are reserved now (AE0018), so these programs do not check clean; was: A_name_ending_in_next_is_not_the_next_value_of_another_state
            AePrefixNames = false,                    // names with "__" are reserved now (AE0018), so these programs do not check clean; was: Names_with_and_without_ae_before_two_underscores_are_two_names
            LawsWithoutRealData = true,               // fixed: A_law_without_real_inputs_or_host_state_has_one_step
            IntValuesInVectorStatements = true,       // fixed: An_int_state_in_a_vector_statement_compiles_for_simd
            TrailingUnderscoreNames = true,           // fixed: A_name_with_a_trailing_underscore_is_not_a_renamed_member
            NameofName = true,                        // fixed: A_value_named_nameof_compiles
            BoolVectorValues = true,                  // fixed: A_bool_vector_value_compiles, A_bool_vector_input_compiles
            ScalarFiltersInVectors = true,            // fixed: A_filter_in_a_vector_statement_no_pass_needs_leaves_no_unused_field, A_scalar_filter_in_a_vector_statement_updates_once_per_step
            LaggedReadsOfRefinedScalars = true,       // fixed: A_lagged_reduction_reads_a_next_value_as_it_was_at_its_statement
            DoubleUnderscoreCNames = false,           // names with "__" are reserved now (AE0018), so these programs do not check clean; was: A_name_starting_with_two_underscores_and_c_is_not_a_condition
            BoolNextValuesInVectors = true,           // fixed: A_bool_next_value_read_by_a_vector_before_it_changes_compiles
            IntNegativeZero = true,                   // fixed: Int_arithmetic_gives_the_same_zero_whatever_stores_the_ints
            BoolEqualities = true,                    // fixed: A_population_compares_bools_as_its_law_does (a JIT bug with AVX-512, avoided)
            DrawsInAnyOrder = true,                   // fixed by counter-based draws: the four draw tests of FuzzRegressionTests
            LogSumExp = true,                         // emitted since LogSumExpLowering
        };

        [Fact]
        public void Clean_programs_compile_and_run_like_the_interpreter()
        {
            var clock = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            int scale = Scale;
            int[] seeds = int.TryParse(Environment.GetEnvironmentVariable("AE_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var only)
                ? new[] { only }
                : Enumerable.Range(1, Checked * scale).ToArray();
            int toRun = Run * scale;
            var options = WithEnabled(Options, Environment.GetEnvironmentVariable("AE_FUZZ_ENABLE"));

            // 1. Generate and check.
            var texts = new string[seeds.Length];
            var checks = new CheckResult[seeds.Length];
            Parallel.For(0, seeds.Length, i =>
            {
                texts[i] = ProgramGenerator.Generate(seeds[i], options);
                checks[i] = AeCompiler.Check(new SourceFile(Path(seeds[i]), texts[i]));
            });
            var rejects = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var rejectExamples = new List<string>();
            var clean = new List<int>();
            for (int i = 0; i < seeds.Length; i++)
            {
                if (checks[i].Diagnostics.Count == 0) { clean.Add(i); continue; }
                var d = checks[i].Diagnostics[0];
                rejects[d.Id] = rejects.TryGetValue(d.Id, out var c) ? c + 1 : 1;
                if (rejectExamples.Count < 5) rejectExamples.Add($"seed {seeds[i]}: {d.ToMsBuildString()}");
            }
            var checkTime = clock.Elapsed;

            // 2. Emit every law and variant of the first clean programs and compile them, a batch of programs
            //    per compilation (one Roslyn compilation is far cheaper than one per law); 3. run them.
            var failures = new List<FuzzFailure>();
            var stats = new FuzzHarness.Stats();
            var dump = Environment.GetEnvironmentVariable("AE_FUZZ_DUMP");
            var units = new List<FuzzUnit>();   // kept for AE_FUZZ_DUMP only
            int compiledCount = 0, unitCount = 0;
            TimeSpan emitting = TimeSpan.Zero, compiling = TimeSpan.Zero, running = TimeSpan.Zero;
            var toCompile = clean.Take(toRun).ToList();
            for (int start = 0; start < toCompile.Count; start += Batch)
            {
                var t0 = clock.Elapsed;
                var batch = new List<FuzzUnit>();
                foreach (var i in toCompile.Skip(start).Take(Batch))
                    batch.AddRange(FuzzHarness.Emit(seeds[i], new SourceFile(Path(seeds[i]), texts[i]), checks[i], failures, stats));
                var t1 = clock.Elapsed;
                var assembly = batch.Count > 0 ? FuzzHarness.Compile(batch, failures) : null;
                var t2 = clock.Elapsed;
                var compiled = batch.Where(u => u.Law != null).ToList();
                var results = new FuzzFailure?[compiled.Count];
                Parallel.For(0, compiled.Count, i => results[i] = FuzzHarness.Run(compiled[i], stats));
                failures.AddRange(results.Where(r => r != null)!);
                GC.KeepAlive(assembly);
                emitting += t1 - t0;
                compiling += t2 - t1;
                running += clock.Elapsed - t2;
                compiledCount += compiled.Count;
                unitCount += batch.Count;
                if (!string.IsNullOrEmpty(dump)) units.AddRange(batch);
                foreach (var u in batch) u.Law = u.Population = null;
            }

            int programs = Math.Min(toRun, clean.Count);
            _output.WriteLine($"scale {scale}: {seeds.Length} programs checked, {clean.Count} clean, rejected {seeds.Length - clean.Count} ({100.0 * (seeds.Length - clean.Count) / seeds.Length:0.0}%): "
                + string.Join(", ", rejects.Select(kv => kv.Key + " x" + kv.Value)));
            foreach (var e in rejectExamples) _output.WriteLine("  reject " + e);
            _output.WriteLine($"{programs} programs emitted: {unitCount} laws and variants, {compiledCount} compiled, {stats.NotEmitted} not emitted (AE0080): "
                + string.Join("; ", stats.NotEmittedKinds.Select(kv => kv.Key + " x" + kv.Value)));
            foreach (var r in stats.NotEmittedReasons.Take(3)) _output.WriteLine("  not emitted: " + r);
            _output.WriteLine($"{stats.Units} run ({stats.Runs} runs of {FuzzHarness.Steps} steps); {stats.NotComparable} runs not compared with the interpreter (issue noise), {stats.IllConditioned} SIMD runs too ill-conditioned for a tolerance");
            _output.WriteLine($"time: check {checkTime.TotalSeconds:0.0} s, emit {emitting.TotalSeconds:0.0} s, compile {compiling.TotalSeconds:0.0} s, run {running.TotalSeconds:0.0} s; "
                + $"{(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s of CPU");

            if (!string.IsNullOrEmpty(dump)) Dump(dump, failures, units);

            var distinct = failures.OrderBy(f => f.Seed).GroupBy(f => f.Seed).Select(g => g.First()).ToList();
            if (Environment.GetEnvironmentVariable("AE_FUZZ_REDUCE") == "1")
            {
                // Shrink the failing programs for the report (slow: a compilation per attempt).
                for (int i = 0; i < distinct.Count && i < 10; i++)
                {
                    var (text, failure) = FuzzReducer.Reduce(distinct[i].Seed, distinct[i].Program, distinct[i]);
                    distinct[i] = failure;
                    _output.WriteLine($"--- seed {failure.Seed}, reduced: {failure.Kind}: {failure.Detail}\n{text}\n{FuzzReducer.Diagnostics(failure.Seed, text)}");
                    if (!string.IsNullOrEmpty(dump)) System.IO.File.WriteAllText(System.IO.Path.Combine(dump, "seed" + failure.Seed.ToString(CultureInfo.InvariantCulture) + ".reduced.ae"), text + "\n");
                }
            }
            Assert.True(distinct.Count == 0,
                $"{distinct.Count} of {programs} clean programs fail:\n"
                + string.Join("\n", distinct.Select(f => $"  seed {f.Seed}, {f.Unit}: {f.Kind}: {FirstLine(f.Detail)}"))
                + "\n\n" + string.Join("\n\n", distinct.Take(3)));
        }

        /// <summary>AE_FUZZ_ENABLE=Unicode,DerivedDims (or all): turns those constructs back on, to see whether their bugs are fixed.</summary>
        internal static GeneratorOptions WithEnabled(GeneratorOptions options, string? names)
        {
            if (string.IsNullOrWhiteSpace(names)) return options;
            var copy = options with { };
            var flags = typeof(GeneratorOptions).GetProperties().Where(p => p.PropertyType == typeof(bool)).ToList();
            foreach (var raw in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var matching = raw.Equals("all", StringComparison.OrdinalIgnoreCase) ? flags : flags.Where(p => p.Name.Equals(raw, StringComparison.OrdinalIgnoreCase)).ToList();
                if (matching.Count == 0) throw new ArgumentException($"AE_FUZZ_ENABLE: no generator option '{raw}'; options: {string.Join(", ", flags.Select(p => p.Name))}");
                foreach (var p in matching) p.SetValue(copy, true);
            }
            return copy;
        }

        /// <summary>AE_FUZZ_DUMP=dir: each failing program, its failures and its emitted C#, as files.</summary>
        private static void Dump(string dir, List<FuzzFailure> failures, List<FuzzUnit> units)
        {
            System.IO.Directory.CreateDirectory(dir);
            foreach (var g in failures.GroupBy(f => f.Seed))
            {
                var stem = System.IO.Path.Combine(dir, "seed" + g.Key.ToString(CultureInfo.InvariantCulture));
                System.IO.File.WriteAllText(stem + ".ae", g.First().Program);
                System.IO.File.WriteAllText(stem + ".txt", string.Join("\n\n", g.Select(f => f.Kind + " in " + f.Unit + ":\n" + f.Detail)));
                foreach (var u in units.Where(u => u.Seed == g.Key))
                    System.IO.File.WriteAllText(stem + "." + u.Namespace.Substring(u.Namespace.LastIndexOf('.') + 1) + ".g.cs", u.Code);
            }
        }

        private static string Path(int seed) => "fuzz/seed" + seed.ToString(CultureInfo.InvariantCulture) + ".ae";

        private static string FirstLine(string s)
        {
            var i = s.IndexOf('\n');
            return i < 0 ? s : s.Substring(0, i);
        }
    }
}
