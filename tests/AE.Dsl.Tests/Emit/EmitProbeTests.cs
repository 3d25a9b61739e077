using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.Emit;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests.Emit
{
    /// <summary>
    /// <see cref="EmitProbe"/>: what <c>ae check</c> adds of a build's diagnostics. The probe must say exactly what emitting
    /// says (the same units refused, with the same reason), without writing the code.
    /// </summary>
    public class EmitProbeTests
    {
        private const string CellWithFilter = """
            cell F {
              input x: real[2];
              state s: real[2] = 0;
              objective loss: real;
              update {
                s' = 0.5 * s + x;
                when mean(x) > 0 { s' = s' * lp(0.9, mean(x)); }
                loss = mean(s' ^ 2);
              }
            }
            """;

        /// <summary>Units the C# backend refuses, one per limit, and units it emits (some of which it once refused).</summary>
        public static TheoryData<string, string> Programs() => new()
        {
            { "filter under a condition in a cell", CellWithFilter },
            { "filters in a cell, emitted as states", "cell G {\n  input x: real[2];\n  state s: real[2] = 0;\n  update { s' = 0.5 * s + lp(0.9, x) + prev(x, 0) + ema(0.8, mean(x)); }\n}\n" },
            { "when in a cell, emitted as selects", "cell W {\n  input x: real[2];\n  state s: real[2] = 0;\n  update {\n    s' = 0.5 * s + x;\n    when step > 3 { s' = s' * 0.9; }\n  }\n}\n" },
            { "vector max in a cell, emitted", "cell M {\n  input x: real[2];\n  state s: real[2] = 0;\n  update { s' = 0.5 * s + x * max(x); }\n}\n" },
            { "noise in a cell", "cell N {\n  input x: real[2];\n  state s: real[2] = 0;\n  update { s' = 0.5 * s + x + 0.01 * noise(2); }\n}\n" },
            { "softmax in a law", "law S {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  coeff alpha in [1e-4, 1] = 0.1;\n  update { theta' = theta - alpha * softmax(grad) * loss; }\n}\n" },
            { "vector prev in a law", "law P {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  coeff alpha in [1e-4, 1] = 0.1;\n  update { theta' = theta - alpha * (grad + prev(grad, grad)) + 0 * loss; }\n}\n" },
            { "logsumexp in a fused law", "law L {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  coeff alpha in [1e-4, 1] = 0.1;\n  update { theta' = theta - alpha * grad * logsumexp(grad) + 0 * loss; }\n}\n" },
            { "a law and a cell that emit", "cell C {\n  input x: real[2];\n  state s: real[2] = 0.5;\n  update { s' = 0.5 * s + x; }\n}\nlaw G {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  coeff alpha in [1e-4, 1] = 0.1;\n  update { theta' = theta - alpha * grad + 0 * loss; }\n}\n" },
        };

        [Theory]
        [MemberData(nameof(Programs))]
        public void The_probe_refuses_what_emitting_refuses_with_the_same_reason(string what, string text)
        {
            var file = new SourceFile("probe.ae", text);
            var result = AeCompiler.Check(file);
            Assert.False(result.HasErrors, what + ": " + TestSupport.Format(result.Diagnostics));
            var sources = new Dictionary<string, SourceFile> { [file.Path] = file };
            foreach (var target in EmitTarget.Of(result.Program!))
            {
                string? emitted = Refusal(() => target.EmitCSharp("AeProbe", sources));
                string? probed = Refusal(() => target.ProbeCSharp(sources));
                Assert.Equal(emitted, probed);
            }
        }

        [Fact]
        public void Every_shipped_law_and_cell_passes_the_probe_as_it_emits()
        {
            // Checked together, as 'ae check laws/*.ae cells/*.ae examples/**/*.ae' checks them.
            var files = new[] { "laws", "cells", "examples" }
                .SelectMany(folder => Directory.GetFiles(Path.Combine(RepoPaths.Root, folder), "*.ae", SearchOption.AllDirectories))
                .Where(p => !p.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !p.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => SourceFile.FromBytes(Path.GetRelativePath(RepoPaths.Root, p), File.ReadAllBytes(p))).ToList();
            Assert.True(files.Count >= 10, files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var result = AeCompiler.Check(files);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            Assert.Empty(EmitProbe.NotEmitted(result.Program!, files.ToDictionary(f => f.Path)));
        }

        /// <summary>AE0080 points at the construct the backend stops at when it knows it (a filter, a draw, a state's kind), else at the unit's name.</summary>
        [Fact]
        public void A_unit_that_is_not_emitted_is_AE0080_at_the_construct()
        {
            var file = new SourceFile("f.ae", CellWithFilter);
            var result = AeCompiler.Check(file);
            var d = Assert.Single(EmitProbe.NotEmitted(result.Program!, new Dictionary<string, SourceFile> { [file.Path] = file }));
            var (line, column) = TestSupport.LineColumn(CellWithFilter, CellWithFilter.IndexOf("lp(", StringComparison.Ordinal));
            Assert.Equal($"f.ae({line},{column}): warning AE0080: cell 'F' is checked but not emitted as C#: the filter 's.lp' (lp) is under a condition ('when', a scalar ?: branch, the right side of && or ||), where it updates only when reached; the cell backend emits filters that update every step so far", d.ToMsBuildString());
            Assert.Equal(Severity.Warning, d.Severity);

            const string Noisy = "cell N {\n  input x: real[2];\n  state s: real[2] = 0;\n  signal y: real[2];\n  update {\n    s' = 0.5 * s + x + 0.1 * noise(2);\n    y = s';\n  }\n}\n";
            var noisy = new SourceFile("n.ae", Noisy);
            var draw = Assert.Single(EmitProbe.NotEmitted(AeCompiler.Check(noisy).Program!, new Dictionary<string, SourceFile> { [noisy.Path] = noisy }));
            Assert.StartsWith("n.ae(6,30): warning AE0080: cell 'N' is checked but not emitted as C#: noise()", draw.ToMsBuildString(), StringComparison.Ordinal);
        }

        /// <summary>
        /// A cell's param range that reads a param is AE0080 at that end of the range, and a run-time dim at its
        /// declaration. Regression guard: once, both pointed at the cell's name.
        /// </summary>
        [Theory]
        [InlineData("cell R {\n  param lo = 0.1;\n  param k in [lo, 1] = 0.5;\n  input x: real[2];\n  signal y: real[2];\n  update { y = x * k * lo; }\n}\n", "lo, 1]",
            "the range of param 'k' reads the param 'lo', which training changes too")]
        [InlineData("cell R {\n  dim n;\n  input x: real[n];\n  signal y: real[n];\n  update { y = x * 2; }\n}\n", "n;",
            "dim 'n' is given at run time; a cell's dims are fixed numbers ('dim n = 8;')")]
        public void A_cells_refused_range_or_dim_is_AE0080_where_it_is_declared(string text, string marker, string reason)
        {
            var file = new SourceFile("r.ae", text);
            var result = AeCompiler.Check(file);
            var d = Assert.Single(EmitProbe.NotEmitted(result.Program!, new Dictionary<string, SourceFile> { [file.Path] = file }));
            var (line, column) = TestSupport.LineColumn(text, text.IndexOf(marker, StringComparison.Ordinal));
            Assert.StartsWith($"r.ae({line},{column}): warning AE0080: cell 'R' is checked but not emitted as C#: {reason}", d.ToMsBuildString(), StringComparison.Ordinal);
        }

        /// <summary>
        /// A law with 65 rules that can be switched off is not emitted (AE0080): its Rules mask is a ulong, and a 65th bit
        /// would wrap onto the first, so switching R65 off would switch R1 off too. With 64 it is emitted, and a variant
        /// that removes one of 65 is too.
        /// </summary>
        [Fact]
        public void A_law_with_more_than_64_switchable_rules_is_AE0080_and_64_emit()
        {
            static string Law(int rules) => "law R {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  coeff alpha in [1e-6, 1] = 0.01;\n"
                + string.Concat(Enumerable.Range(1, rules).Select(i => $"  rule R{i} {{ alpha' = alpha' * {(i == 1 ? "0.5" : "1")}; }}\n"))
                + "  update { theta' = theta - alpha' * grad + 0 * loss; }\n}\nlaw Rv = R without R" + rules + ";\n";
            var over = new SourceFile("r.ae", Law(65));
            var result = AeCompiler.Check(over);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            var d = Assert.Single(EmitProbe.NotEmitted(result.Program!, new Dictionary<string, SourceFile> { [over.Path] = over }));
            Assert.Equal("r.ae(1,5): warning AE0080: law 'R' is checked but not emitted as C#: law 'R' has 65 rules that can be switched off; the C# backend switches at most 64 (one bit each of a 64-bit mask): merge rules, or make the variants with 'without'", d.ToMsBuildString());
            var fits = new SourceFile("r.ae", Law(64));
            var fitting = AeCompiler.Check(fits);
            Assert.Empty(EmitProbe.NotEmitted(fitting.Program!, new Dictionary<string, SourceFile> { [fits.Path] = fits }));
        }

        /// <summary>
        /// A signal's neutral value (its value while its rule is off) that reduces a vector checked clean and failed every
        /// backend ("read outside a vector pass"): it is AE0080 while the rule can be switched off. With the rule fixed the
        /// neutral is never read; a variant that removes the rule defines the signal by its neutral in a statement of the
        /// step (Ablation), where reductions are emitted: both are emitted. (A neutral that reads a filter or draws noise is
        /// emitted: CSharpEmitterTests.)
        /// </summary>
        [Theory]
        [InlineData("sum(grad)", "sum")]
        [InlineData("2 * norm(theta)", "norm")]
        public void A_neutral_value_that_reduces_a_vector_is_AE0080_while_its_rule_can_be_switched_off(string neutral, string construct)
        {
            string Law(string rule) => "law NV {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal d = " + neutral + ";\n"
                + "  " + rule + " D { d = 0.5; }\n  update { theta' = theta - 0.01 * grad * d; }\n}\nlaw NVNoD = NV without D;\n";
            var switchable = new SourceFile("nv.ae", Law("rule"));
            var result = AeCompiler.Check(switchable);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            var d = Assert.Single(EmitProbe.NotEmitted(result.Program!, new Dictionary<string, SourceFile> { [switchable.Path] = switchable }));
            Assert.Equal("nv.ae(6,10): warning AE0080: law 'NV' is checked but not emitted as C#: the neutral value of signal 'd' (its value while the rule that defines it is off) reduces a vector ("
                + construct + "); the C# backend emits neutral values without reductions so far: define it in a rule instead, or make that rule fixed", d.ToMsBuildString());
            var fixedRule = new SourceFile("nv.ae", Law("fixed rule").Replace("law NVNoD = NV without D;\n", "", StringComparison.Ordinal));
            Assert.Empty(EmitProbe.NotEmitted(AeCompiler.Check(fixedRule).Program!, new Dictionary<string, SourceFile> { [fixedRule.Path] = fixedRule }));
        }

        /// <summary>
        /// A law's step is one method with a local per statement: 100,000 definitions checked clean and then failed the
        /// compile (CS0204, 65,534 locals) after minutes. Over 10,000 statements is AE0080 at the check.
        /// </summary>
        [Fact]
        public void A_law_with_more_than_10000_statements_is_AE0080()
        {
            static string Law(int definitions) => "law Long {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  state a: real = 0;\n"
                + "  update {\n    x0 = a;\n" + string.Concat(Enumerable.Range(1, definitions - 3).Select(i => $"    x{i} = x{i - 1} + 1;\n"))
                + $"    a' = x{definitions - 3} * 0;\n    theta' = theta - 0.1 * grad;\n  }}\n}}\n";
            var over = new SourceFile("long.ae", Law(10_001));
            var result = AeCompiler.Check(over);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            var d = Assert.Single(EmitProbe.NotEmitted(result.Program!, new Dictionary<string, SourceFile> { [over.Path] = over }));
            Assert.Equal("long.ae(1,5): warning AE0080: law 'Long' is checked but not emitted as C#: law 'Long' has 10001 definitions and updates; the C# backend makes a local of each in one method (C# allows 65,534) and takes at most 10000: compute more of them as vectors", d.ToMsBuildString());
            var fits = new SourceFile("long.ae", Law(10_000));
            Assert.Empty(EmitProbe.NotEmitted(AeCompiler.Check(fits).Program!, new Dictionary<string, SourceFile> { [fits.Path] = fits }));
        }

        /// <summary>
        /// logsumexp is emitted out of max and sum, except where each reduction is read a step late (a lagged variant) or
        /// its vector updates a filter; the advice for those is one the law can follow (max is not smooth, AE0040) and that
        /// checks clean: exp underflows to 0, so log(sum(exp(v))) alone is 'log' of a value that can be 0 (AE0060). In a lagged
        /// law it is the plain form: a sum over v − max(v) would subtract the max of two steps back (+inf at step 2).
        /// </summary>
        [Theory]
        [InlineData("", "write log(sum(exp(v)) + 1e-300), which overflows once an element of v passes about 709 (shifting by m = max(v) does not carry over: in a lagged law m is itself the previous step's)", "log(sum(exp(grad)) + 1e-300)")]
        [InlineData("smooth ", "write log(sum(exp(v)) + 1e-300), which is smooth but overflows once an element of v passes about 709 (shifting by m = max(v) does not carry over: in a lagged law m is itself the previous step's)", "log(sum(exp(grad)) + 1e-300)")]
        public void Logsumexp_is_emitted_and_the_advice_where_it_is_not_fits_the_law(string smooth, string advice, string followedAdvice)
        {
            const string law = "law L {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  signal s: real;\n  update {\n    s = logsumexp(grad) + loss;\n    theta' = theta - 0.1 * grad;\n  }\n}\n";
            var plain = new SourceFile("l.ae", smooth + law);
            var result = AeCompiler.Check(plain);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(EmitProbe.NotEmitted(result.Program!, new Dictionary<string, SourceFile> { [plain.Path] = plain }));

            var file = new SourceFile("l.ae", smooth + law + "law LLagged = L lagged;\n");
            var lagged = AeCompiler.Check(file);
            Assert.False(lagged.HasErrors, TestSupport.Format(lagged.Diagnostics));
            var d = Assert.Single(EmitProbe.NotEmitted(lagged.Program!, new Dictionary<string, SourceFile> { [file.Path] = file }));
            Assert.Contains("'LLagged'", d.Message, StringComparison.Ordinal);
            Assert.EndsWith("logsumexp in a lagged law, or of a vector that updates a filter, is not emitted yet; " + advice, d.Message, StringComparison.Ordinal);
            // the advice followed: smooth where the law is, free of warnings, and emitted
            var followed = new SourceFile("l.ae", file.Text.Replace("logsumexp(grad)", followedAdvice, StringComparison.Ordinal));
            var again = AeCompiler.Check(followed);
            Assert.False(again.HasErrors, TestSupport.Format(again.Diagnostics));
            Assert.Empty(again.Diagnostics);
            Assert.Empty(EmitProbe.NotEmitted(again.Program!, new Dictionary<string, SourceFile> { [followed.Path] = followed }));
        }

        /// <summary>A cell with a net's weights or a concatenation beyond an int's count was an internal error of the check (OverflowException).</summary>
        [Theory]
        [InlineData("cell C { dim a = 46341; input x: real[a]; net f: linear(a -> a); objective o: real; update { o = sum(f(x)); } }")]
        [InlineData("cell C { dim k = 1000000000; input x: real[k]; objective o: real; update { o = sum(concat(x, x, x)); } }")]
        [InlineData("cell C { dim h = 100000; input x: real[1]; net f: mlp(1 -> h -> h -> 1, tanh); objective o: real; update { o = sum(f(x)); } }")]
        [InlineData("cell C { dim h = 40000; input x: real[h]; net f: linear(h -> h); net g: linear(h -> h); objective o: real; update { o = sum(f(x)) + sum(g(x)); } }")]
        public void A_cell_too_large_for_int_sizes_is_not_emitted_and_says_why(string text)
        {
            var file = new SourceFile("c.ae", text);
            var result = AeCompiler.Check(file);
            Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
            var d = Assert.Single(EmitProbe.NotEmitted(result.Program!, new Dictionary<string, SourceFile> { [file.Path] = file }));
            Assert.EndsWith("cell 'C' has a vector, a concatenation, a net's weights or trained parameters in all of more than 2147483647 elements; the cell backend sizes them with ints", d.Message, StringComparison.Ordinal);
            // what the check's probe says is what emitting says
            var unit = result.Program!.Units.Single();
            Assert.Equal(Refusal(() => CSharpEmitter.Probe(unit, new CSharpEmitOptions())), Refusal(() => CSharpEmitter.Emit(unit, new CSharpEmitOptions())));
        }

        private static string? Refusal(Action emit)
        {
            try
            {
                emit();
                return null;
            }
            catch (EmitNotSupportedException ex)
            {
                return ex.Message;
            }
        }
    }
}
