using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// "Never an exception or a hang on any input." Property tests over generated inputs: random token
    /// streams, random grammar-shaped programs, random mutations of every shipped .ae file, and
    /// pathologically deep or long inputs. Every generator is seeded, so a failure reproduces; each
    /// failure message carries a shrunk reproducer as a C# string literal.
    /// </summary>
    public class RobustnessTests
    {
        /// <summary>Smaller than the compiler's usual thread, so a recursion that is merely "deep enough" still fails here.</summary>
        private const int SmallStack = 1024 * 1024;

        /// <summary>
        /// Multiplies the number of generated inputs (same seeds, longer streams): set AE_FUZZ_SCALE=100 for a
        /// long run outside the everyday suite. Default 1, which keeps this class to a few seconds.
        /// </summary>
        private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("AE_FUZZ_SCALE"), out var s) && s > 0 ? s : 1;

        /// <summary>A watchdog, not a timing: a batch that takes this long is hung (the suite runs in seconds).</summary>
        private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(90 * Scale);

        // ================================================================ random token streams

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        public void Random_token_streams_never_throw_and_report_sane_diagnostics(int seed)
        {
            var fuzz = new AeFuzzer(seed);
            var inputs = Enumerable.Range(0, 1000 * Scale).Select(_ => fuzz.TokenStream()).ToList();
            CheckAll(inputs, "token stream seed " + seed);
        }

        [Theory]
        [InlineData(11)]
        [InlineData(12)]
        [InlineData(13)]
        public void Random_grammar_shaped_programs_never_throw_and_report_sane_diagnostics(int seed)
        {
            // Token soup rarely gets past the parser; these reach the binder and the checks.
            var fuzz = new AeFuzzer(seed);
            var inputs = Enumerable.Range(0, 500 * Scale).Select(_ => fuzz.Program()).ToList();
            CheckAll(inputs, "grammar seed " + seed);
        }

        [Fact]
        public void Grammar_shaped_programs_split_over_files_never_throw()
        {
            // Groups are shared between files; diagnostics must land in the right file with spans inside it.
            var fuzz = new AeFuzzer(21);
            RunOnThread(() =>
            {
                var failures = new Failures();
                for (int i = 0; i < 150 * Scale; i++)
                {
                    var files = new[] { ("a.ae", fuzz.Program()), ("b.ae", fuzz.Program()), ("c.ae", fuzz.Program()) };
                    var problem = Verify(files);
                    if (problem != null) failures.Add(problem, "multi-file input " + i + ":\n" + string.Join("\n", files.Select(f => f.Item1 + ": " + Literal(f.Item2))));
                }
                failures.AssertNone();
            }, SmallStack, () => "multi-file grammar inputs");
        }

        // ================================================================ mutated shipped files

        public static TheoryData<string> ShippedFiles()
        {
            var data = new TheoryData<string>();
            foreach (var f in ShippedPaths()) data.Add(Path.GetRelativePath(RepoPaths.Root, f));
            return data;
        }

        private static List<string> ShippedPaths()
        {
            var all = new List<string>();
            foreach (var dir in new[] { RepoPaths.Laws, RepoPaths.Cells })
                if (Directory.Exists(dir))
                    all.AddRange(Directory.GetFiles(dir, "*.ae").OrderBy(f => f, StringComparer.Ordinal));
            return all;
        }

        private static string ReadShipped(string relativePath)
        {
            var bytes = File.ReadAllBytes(Path.Combine(RepoPaths.Root, relativePath));
            return new UTF8Encoding(false, false).GetString(bytes);
        }

        /// <summary>A few hundred mutants per file, fewer per file when many files exist, so the suite stays fast.</summary>
        private static int MutantsPerFile() => Math.Clamp(6000 / Math.Max(1, ShippedPaths().Count), 100, 300);

        [Fact]
        public void There_are_shipped_files_to_mutate()
        {
            Assert.NotEmpty(ShippedPaths());
        }

        [Theory]
        [MemberData(nameof(ShippedFiles))]
        public void Mutated_shipped_file_never_throws_and_reports_sane_diagnostics(string relativePath)
        {
            var original = ReadShipped(relativePath);
            var fuzz = new AeFuzzer(StableHash(relativePath));
            var inputs = new List<string>();
            int count = MutantsPerFile() * Scale;
            for (int i = 0; i < count; i++) inputs.Add(fuzz.Mutate(original));
            CheckAll(inputs, "mutants of " + relativePath, relativePath.Replace('\\', '/'));
        }

        [Fact]
        public void All_shipped_files_checked_together_with_one_mutated_never_throw()
        {
            var paths = ShippedPaths().Select(p => Path.GetRelativePath(RepoPaths.Root, p).Replace('\\', '/')).ToList();
            var texts = paths.Select(ReadShipped).ToList();
            var fuzz = new AeFuzzer(31);
            RunOnThread(() =>
            {
                var failures = new Failures();
                int rounds = Math.Clamp(600 / Math.Max(1, paths.Count), 20, 100) * Scale;
                for (int i = 0; i < rounds; i++)
                {
                    int which = fuzz.Next(paths.Count);
                    var files = paths.Select((p, k) => (p, k == which ? fuzz.Mutate(texts[k]) : texts[k])).ToArray();
                    var problem = Verify(files);
                    if (problem != null) failures.Add(problem, $"round {i}, mutated {paths[which]}: {Literal(files[which].Item2)}");
                }
                failures.AssertNone();
            }, SmallStack, () => "shipped files with one mutated");
        }

        // ================================================================ hand-picked hostile inputs

        public static TheoryData<string, string> HostileInputs() => new()
        {
            { "empty", "" },
            { "bom only", "\uFEFF" },
            { "two boms", "\uFEFF\uFEFF" },
            { "nul", "\0" },
            { "lone high surrogate", "\uD800" },
            { "lone low surrogate", "\uDC00" },
            { "surrogates reversed", "law L { param p = 1; }\uDC00\uD800" },
            { "high surrogate at end of identifier", "law L\uD800" },
            { "astral letter identifier", "law \U0001D465 { param \U0001D465\U0001D466 = 1; }" },
            { "lone cr", "law L {\rparam p = 1;\r}\r" },
            { "cr lf mixed", "law L {\r\n\rparam p = 1;\n\r\n}" },
            { "unterminated comment", "law L { /* param p = 1; }" },
            { "unterminated comment at eof", "/*" },
            { "comment slash star slash", "/*/" },
            { "unterminated string", "law L \"title { }" },
            { "string with cr", "law L \"ti\rtle\" { }" },
            { "string ending in backslash", "law L \"a\\" },
            { "exponent without digits", "law L { param p = 1e; param q = 1e+; param r = 1E-; }" },
            { "huge number", "law L { param p = 1e400; param q = -1e400; param r = 1e-400; }" },
            { "number glued to letters", "law L { param p = 3x; param q = 1e5f; param r = 1.e5; param s = 1..2; }" },
            { "long number", "law L { param p = " + new string('9', 5000) + "; }" },
            { "long identifier", "law L { param " + new string('a', 100_000) + " = b" + new string('a', 100_000) + "; }" },
            { "greek", "law Λ { param θ = 1, α = 2, ρ = α * θ; state x: real = 0; update { x' = x + ρ; } }" },
            { "combining marks", "law L { param e\u0301 = 1; param x = e\u0301 + e\u0302; }" },
            { "only punctuation", "{}()[],;:.'?->=+=+-*/%^<<=>>===!=&&||!&|" },
            { "reserved names", "law L { param step = 1; param pi = 2; dim step; state x: real = 0; update { step = 1; pi' = 2; x' = step'; } }" },
            { "missing everything", "law" },
            { "smooth alone", "smooth" },
            { "smooth group", "smooth group G { }" },
            { "group with declarations", "group G { param p = 1; dim n; rule r { } } law L { use G; }" },
            { "use unknown", "law L { use; use G; use G2 }" },
            { "use cycle", "group A { use B; } group B { use A; } law L { use A; }" },
            { "self use", "group A { use A; } law L { use A; }" },
            { "net garbage", "cell C { net f: mlp(); net g: linear(1 -> 0); net h: mlp(1 -> 2 -> 3) named; net k: nope(1 -> 2, tanh) named a, b, c; net m: mlp(-1 -> 1 -> 1, relu); }" },
            { "net applied badly", "cell C { dim n = 3; input x: real[n]; net f: mlp(n -> 4 -> 2, tanh); signal y = 0; update { y = f(x, x); z = f; w = f(1); } }" },
            { "dims", "law L { dim a = b, b = a; dim c = 0; dim d = 1.5; dim e = -3; dim f = a * b; dim g = 1e12; input x: real[a, b]; input y: real[c]; }" },
            { "param cycle", "law L { param a = b; param b = c; param c = a; param d in [d, d] = d; }" },
            { "vector params", "law L { dim n; param v: real[n] = 1; param w: real[n + 1] = v; param b: bool[n] = true; }" },
            { "coeff bounds", "law L { coeff c in [1, 0] log = 0.5; coeff d log; coeff e in [0, 1] log = 2; coeff f: bool in [0, 1] = 0; coeff g: real[3] in [0, inf) = 1; }" },
            { "require", "law L { param p = 1; require p > 2; require lbl: p; require: true; require q; }" },
            { "filters", "law L { input x: real; signal s = 0; update { s = ema(x, x) + lp(2, x) + prev(x) + latch(x, 1, 2) + noise(1, 2) + ema() + prev(s, s); } }" },
            { "filters in when", "law L { input x: real; state y: real = 0; update { when x > 0 { y' = ema(0.9, x); } else when x < 0 { y' = prev(x, 0); } else { y' = latch(x > 1, x, 0); } } }" },
            { "when defines", "law L { input x: real; update { when x > 0 { t = 1; } else when x { t = 2; } else { t = 3; } } }" },
            { "else without when", "law L { update { else { } } }" },
            { "next of everything", "law L { dim n; param p = 1; input x: real; signal s = 0; acc a = 0; state t: real = 0; update { t' = n' + p' + x' + s' + a' + t' + step' + pi'; a' += 1; s += 1; p = 1; n' = 2; } }" },
            { "smooth everything", "smooth law L { input x: real; state t: real = 0; update { t' = abs(x) + relu(x) + x % 2 + (x > 0 ? 1 : 0) + clamp(x, 0, 1); when x > 0 { t' = 1; } } }" },
            { "arity", "law L { input x: real; signal s = 0; update { s = tanh() + tanh(x, x) + clamp(x) + concat(x) + max() + min(x, x, x) + unknown(x) + tanhh(x) + x(1); } }" },
            { "types", "law L { input x: real; input v: real[3]; input w: real[4]; input b: bool; signal s = 0; update { s = x + b + (b ? x : b) + !x + -b + (v + w) + dot(v, w) + sum(x) + (b && x) + (x == b); } }" },
            { "int overflow dims", "law L { dim n = 999999999 * 999999999 * 999999999; input v: real[n * n * n]; }" },
            { "division and logs", "law L { input x: real; signal s = 0; update { s = 1 / x + log(x) + sqrt(x) + log1p(x) + 1 / 0 + log(0) + 0 / 0 + x % 0; } }" },
            { "constant folding extremes", "law L { param a = 1e308 * 1e308; param b = -a; param c = a - a; param d = 0 / 0; param e = 2 ^ 2000; param f in [d, e] = c; coeff k in [d, c] log = 1; }" },
            { "duplicate units", "law L { } law L { } cell L { } group L { } group L { } law M { use L; }" },
            { "duplicate rule ids", "law L { state x: real = 0; rule r { x' = 1; } rule r { x' = 2; } update { } update { } }" },
            { "ablation holes", "law L { signal s; input x: real; rule a { s = x; t = x; } rule b { u = t + s; } update { } }" },
            { "use before definition", "law L { state x: real = 0; update { x' = y; y = 1; y = 2; z = z; } }" },
            { "nothing closes", "law L { rule r { when x { x' = (((1" },
            { "stray closers", ")))]]]}}} law L { } }}}" },
            { "keywords as names", "law law { param param = 1; state in: real; rule rule { } }" },
            { "log keyword", "law L { coeff c in [1e-3, 1] log log = log(1); param p = log; param q = log(log(2)); }" },
            { "named without net", "law L { named a, b; }" },
            { "range without default", "law L { param p in (0, 1]; }" },
            { "range without default, unclosed", "law L { param p in (" },
            { "variant of nothing", "law V = U without R1; law W = ; law X = L; cell Y = V without; law Z \"t\" = Z without Z, Z;" },
            { "variant cycle", "law A = B without r; law B = A without r; law C { state x: real = 0; rule r { x' = 1; } update { } } law D = C without r, r, update, q;" },
            { "variant of a cell, smooth variant", "cell C { } law V = C without r; smooth law W = C without r;" },
        };

        [Theory]
        [MemberData(nameof(HostileInputs))]
        public void Hostile_input_never_throws_and_reports_sane_diagnostics(string name, string text)
        {
            string? problem = null;
            RunOnThread(() => problem = Verify(new[] { ("hostile.ae", text) }), SmallStack, () => name);
            if (problem != null)
                Assert.Fail(problem + "\nshrunk reproducer: " + Literal(Shrink(text, t => Verify(new[] { ("hostile.ae", t) }) != null)));
        }

        public static TheoryData<string, string, string> HostileFilePairs() => new()
        {
            // A group's rules are bound inside the law that uses it, possibly in another file: each diagnostic
            // must go to the file its span is in. Every error here is in the group's file. (name, group file, law file)
            { "noise length unknown", "group G { rule r { x' = x + noise(foo); } }", "law L { state x: real = 0; use G; }" },
            { "noise length not whole", "group G { rule r { x' = x + noise(n + 1.5); } }", "law L { dim n; state x: real[n] = 0; use G; }" },
            { "noise length zero", "group G { rule r { x' = x + noise(0); } }", "law L { state x: real = 0; use G; }" },
            { "filters", "group G { rule r { x' = ema(foo, x) + prev(x, bar) + latch(x > 0, x, baz) + lp(2, x); } }", "law L { state x: real = 0; use G; }" },
            { "unknown everything", "group G { rule r { y = q; x' = f(y); z += 1; when w { x' = v; } } use H; }", "law L { state x: real = 0; use G; }" },
            { "group uses a group in the law's file", "group G { use H; rule r { x' = nope + noise(nought); } }", "group H { rule s { x' = x' + 1; } } law L { state x: real = 0; use G; }" },
        };

        [Theory]
        [MemberData(nameof(HostileFilePairs))]
        public void Diagnostics_of_a_group_used_from_another_file_land_in_the_groups_file(string name, string groupFile, string lawFile)
        {
            var files = new[] { ("group.ae", groupFile), ("law.ae", lawFile) };
            string? problem = null;
            CheckResult? result = null;
            RunOnThread(() =>
            {
                problem = Verify(files);
                result = AeCompiler.Check(new SourceFile("group.ae", groupFile), new SourceFile("law.ae", lawFile));
            }, SmallStack, () => name);
            Assert.True(problem == null, name + ": " + problem);
            var misplaced = result!.Diagnostics.Where(d => d.Severity == Severity.Error && d.Path != "group.ae").ToList();
            Assert.True(misplaced.Count == 0, name + ": errors in the group's text reported in the law's file:\n" + TestSupport.Format(misplaced)
                + "\nall:\n" + TestSupport.Format(result.Diagnostics));
        }

        [Fact]
        public void Bom_is_not_part_of_the_text_and_spans_count_from_after_it()
        {
            var result = AeCompiler.Check(new SourceFile("bom.ae", "\uFEFFlaw L { param p = q; }"));
            var d = Assert.Single(result.Diagnostics, x => x.Id == "AE0010");
            Assert.Equal("law L { param p = q; }".IndexOf('q', StringComparison.Ordinal), d.Span.Start);
            Assert.Equal(new LinePosition(1, 19), d.Start);
            Assert.Null(Verify(new[] { ("bom.ae", "\uFEFFlaw L { param p = q; }") }));
        }

        [Fact]
        public void Line_and_column_follow_cr_lf_and_lone_cr()
        {
            foreach (var nl in new[] { "\n", "\r\n", "\r" })
            {
                var text = "law L {" + nl + "  param p = q;" + nl + "}" + nl;
                var d = Assert.Single(AeCompiler.Check(new SourceFile("nl.ae", text)).Diagnostics, x => x.Id == "AE0010");
                Assert.Equal(new LinePosition(2, 13), d.Start);
            }
        }

        // ================================================================ deep and long inputs

        private static string Repeat(string s, int n)
        {
            var sb = new StringBuilder(s.Length * n);
            for (int i = 0; i < n; i++) sb.Append(s);
            return sb.ToString();
        }

        private const string Body = "law L { input x: real; state y: real = 0; signal s = 0; ";

        public static TheoryData<string, int, string?> DeepInputs() => new()
        {
            // name, size, expected id (null: any error will do, since the input is not nesting the grammar allows)
            { "parens in a param default", 20_000, "AE0005" },
            { "unclosed parens in a statement", 20_000, "AE0005" },
            { "parens at top level", 20_000, null },
            { "braces in a rule body", 20_000, null },
            { "braces in a law body", 20_000, null },
            { "braces at top level", 20_000, null },
            { "nested when blocks", 20_000, "AE0005" },
            { "unclosed when blocks", 20_000, "AE0005" },
            { "else when chain", 20_000, "AE0005" },
            { "plus chain", 200_000, "AE0005" },
            { "unary minus chain", 100_000, "AE0005" },
            { "not chain", 100_000, "AE0005" },
            { "power chain", 20_000, "AE0005" },
            { "conditional chain", 20_000, "AE0005" },
            { "nested calls", 20_000, "AE0005" },
            { "nested calls in a rule", 20_000, "AE0005" },
            { "brackets in a type", 20_000, null },
            { "nested ranges", 20_000, null },
            { "unknown characters", 200_000, "AE0001" },
            { "unknown characters between spaces", 200_000, "AE0001" },
            { "undecodable bytes after a law", 200_000, "AE0001" },
        };

        private static string BuildDeep(string name, int n) => name switch
        {
            "parens in a param default" => "law L { param p = " + Repeat("(", n) + "1" + Repeat(")", n) + "; }",
            "unclosed parens in a statement" => Body + "update { y' = " + Repeat("(", n) + "x; } }",
            "parens at top level" => Repeat("(", n),
            "braces in a rule body" => Body + "rule r " + Repeat("{", n) + Repeat("}", n) + " }",
            "braces in a law body" => "law L " + Repeat("{", n) + Repeat("}", n),
            "braces at top level" => Repeat("{", n),
            "nested when blocks" => Body + "update { " + Repeat("when x > 0 { ", n) + "y' = x; " + Repeat("} ", n) + "} }",
            "unclosed when blocks" => Body + "update { " + Repeat("when x > 0 { ", n),
            "else when chain" => Body + "update { when x > 0 { y' = 1; } " + Repeat("else when x > 1 { y' = 2; } ", n) + "else { y' = 3; } } }",
            "plus chain" => Body + "update { y' = x" + Repeat(" + x", n - 1) + "; } }",
            "unary minus chain" => Body + "update { y' = " + Repeat("- ", n) + "x; } }",
            "not chain" => Body + "update { when " + Repeat("!", n) + "(x > 0) { y' = 1; } } }",
            "power chain" => Body + "update { y' = x" + Repeat(" ^ 2", n) + "; } }",
            "conditional chain" => Body + "update { y' = " + Repeat("x > 0 ? 1 : ", n) + "0; } }",
            "nested calls" => "law L { param p = " + Repeat("abs(", n) + "1" + Repeat(")", n) + "; }",
            "nested calls in a rule" => Body + "update { y' = " + Repeat("max(x, ", n) + "x" + Repeat(")", n) + "; } }",
            "brackets in a type" => "law L { input v: real" + Repeat("[", n) + "; }",
            "nested ranges" => "law L { param p in " + Repeat("[", n) + "0, 1] = 0; }",
            // Each skipped character once took a frame of the lexer.
            "unknown characters" => Repeat("$", n),
            "unknown characters between spaces" => Repeat("$ ", n),
            "undecodable bytes after a law" => Body + "update { y' = x; } }\n" + Repeat("\uFFFD", n),
            _ => throw new ArgumentException(name),
        };

        [Theory]
        [MemberData(nameof(DeepInputs))]
        public void Deep_input_gives_a_diagnostic_not_a_stack_overflow(string name, int n, string? expectedId)
        {
            var text = BuildDeep(name, n);
            var result = CheckDeep(text, name);
            Assert.True(result.HasErrors, name + ": expected an error");
            if (expectedId != null)
                Assert.True(result.Diagnostics.Any(d => d.Id == expectedId), $"{name}: expected {expectedId}, got:\n" + Summary(result));
        }

        public static TheoryData<string> AtTheLimitShapes() => new()
        {
            "plus chain", "division chain", "unary minus chain", "not chain", "power chain", "conditional chain",
            "parens", "nested calls", "nested logs", "nested filters", "nested when blocks", "else when chain",
        };

        private static string BuildAtLimit(string shape, int n) => shape switch
        {
            // Every later phase (binding, constant folding, interval analysis, the hazard walk) recurses over
            // what the parser accepts, so the deepest accepted input must get through all of them.
            "plus chain" => Body + "update { y' = x" + Repeat(" + x", n - 1) + "; } }",
            "division chain" => Body + "update { y' = " + Repeat("x / (", n) + "x" + Repeat(")", n) + "; } }",
            "unary minus chain" => Body + "update { y' = " + Repeat("-", n) + "x; } }",
            "not chain" => Body + "update { when " + Repeat("!", n) + "(x > 0) { y' = 1; } } }",
            "power chain" => Body + "update { y' = x" + Repeat(" ^ x", n) + "; } }",
            "conditional chain" => Body + "update { y' = " + Repeat("x > 0 ? x : ", n) + "0; } }",
            "parens" => Body + "update { y' = " + Repeat("(", n) + "x" + Repeat(")", n) + "; } }",
            "nested calls" => Body + "update { y' = " + Repeat("clamp(", n) + "x" + Repeat(", 0, 1)", n) + "; } }",
            "nested logs" => Body + "update { y' = " + Repeat("log(sqrt(", n) + "x" + Repeat("))", n) + "; } }",
            "nested filters" => Body + "update { y' = " + Repeat("ema(0.9, prev(", n) + "x" + Repeat(", 0))", n) + "; } }",
            "nested when blocks" => Body + "update { " + Repeat("when x > 0 { y' = y' + x; ", n) + Repeat("} ", n) + "} }",
            "else when chain" => Body + "update { when x > 0 { y' = 1; } " + Repeat("else when x > 1 { y' = y' / x; } ", n) + "else { y' = 3; } } }",
            _ => throw new ArgumentException(shape),
        };

        [Theory]
        [MemberData(nameof(AtTheLimitShapes))]
        public void Deepest_accepted_input_is_checked_without_stack_overflow(string shape)
        {
            // Binary search for the deepest n the parser accepts (no AE0005), every check on a 1 MB stack.
            bool Accepted(int n) => !CheckDeep(BuildAtLimit(shape, n), shape + " " + n).Diagnostics.Any(d => d.Id == "AE0005");
            int lo = 1, hi = Syntax.Parser.MaxExprDepth + 2;
            Assert.True(Accepted(lo), shape + ": even depth 1 is rejected");
            Assert.False(Accepted(hi), shape + $": depth {hi} is accepted, past Parser.MaxExprDepth");
            while (hi - lo > 1)
            {
                int mid = (lo + hi) / 2;
                if (Accepted(mid)) lo = mid; else hi = mid;
            }
            // lo is the deepest accepted input; it was checked (parsed, bound, analysed) without overflowing.
            Assert.True(lo >= 10, shape + ": only depth " + lo + " is accepted");
        }

        [Fact]
        public void Chain_of_50000_params_each_defaulting_to_the_next()
        {
            const int n = 50_000;
            var sb = new StringBuilder("law L {\n");
            for (int i = 0; i < n; i++) sb.Append("  param p").Append(i).Append(" = p").Append(i + 1).Append(";\n");
            sb.Append("  param p").Append(n).Append(" = 1;\n}\n");
            var result = CheckDeep(sb.ToString(), "param chain");
            // Valid but pointless: only p0 is unused. No recursion over the chain, so no overflow.
            Assert.False(result.HasErrors, Summary(result));
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal("AE0050", d.Id);
        }

        [Fact]
        public void Chain_of_10000_groups_each_using_the_next()
        {
            const int n = 10_000;
            var sb = new StringBuilder();
            for (int i = 0; i < n; i++) sb.Append("group G").Append(i).Append(" { use G").Append(i + 1).Append("; }\n");
            sb.Append("group G").Append(n).Append(" { }\n");
            sb.Append("law L { use G0; }\n");
            var result = CheckDeep(sb.ToString(), "group chain");
            Assert.Contains(result.Diagnostics, d => d.Id == "AE0005");
        }

        [Fact]
        public void Cycle_of_10000_groups()
        {
            const int n = 10_000;
            var sb = new StringBuilder();
            for (int i = 0; i < n; i++) sb.Append("group G").Append(i).Append(" { use G").Append((i + 1) % n).Append("; }\n");
            sb.Append("law L { use G0; }\nlaw M { use G5000; }\n");
            var result = CheckDeep(sb.ToString(), "group cycle");
            Assert.True(result.HasErrors, Summary(result));
        }

        [Fact]
        public void Cycle_of_4000_params_is_reported_with_output_proportional_to_the_input()
        {
            // Each member of a cycle is reported; if every message spells out the whole cycle, the output
            // grows with the square of the input (4,000 params: ~170 M characters of messages; 50,000:
            // tens of GB, which is an out-of-memory "hang"). The messages must stay proportional to the input.
            const int n = 4_000;
            var sb = new StringBuilder("law L {\n");
            for (int i = 0; i < n; i++) sb.Append("  param p").Append(i).Append(" = p").Append((i + 1) % n).Append(";\n");
            sb.Append("  state x: real = 0;\n  update { x' = x + p0; }\n}\n");
            var text = sb.ToString();
            var result = CheckDeep(text, "param cycle");
            Assert.Contains(result.Diagnostics, d => d.Id == "AE0013");
            long messageChars = result.Diagnostics.Sum(d => (long)d.Message.Length);
            Assert.True(messageChars <= 20L * text.Length,
                $"the diagnostics of a {text.Length}-character file have {messageChars} characters of messages " +
                $"({result.Diagnostics.Count} diagnostics; the longest message has {result.Diagnostics.Max(d => d.Message.Length)} characters)");
        }

        [Fact]
        public void Three_thousand_units_with_errors()
        {
            var sb = new StringBuilder();
            for (int i = 0; i < 3_000; i++) sb.Append("law L").Append(i % 2_500).Append(" { param p = q; state x = ; update { x' = } }\n");
            var result = CheckDeep(sb.ToString(), "many units");
            Assert.Contains(result.Diagnostics, d => d.Id == "AE0004");
            // The duplicate names come after the first 100 errors of the file: AE0007 stands for them ...
            Assert.Equal(101, result.ErrorCount);
            Assert.Contains(result.Diagnostics, d => d.Id == "AE0007");
            // ... and they are found when every error is listed.
            var all = CheckDeep(sb.ToString(), "many units, every error", int.MaxValue);
            Assert.Contains(all.Diagnostics, d => d.Id == "AE0011");
            Assert.DoesNotContain(all.Diagnostics, d => d.Id == "AE0007");
        }

        [Fact]
        public void A_megabyte_of_random_tokens()
        {
            var fuzz = new AeFuzzer(41);
            var sb = new StringBuilder();
            while (sb.Length < 1_000_000) sb.Append(fuzz.TokenStream()).Append('\n');
            CheckDeep(sb.ToString(), "1 MB of random tokens");
        }

        /// <summary>Checks on a 1 MB thread (a stack overflow would end the test process), then verifies the diagnostics.</summary>
        private static CheckResult CheckDeep(string text, string name, int maxErrorsPerFile = AeCompiler.MaxErrorsPerFile)
        {
            CheckResult? result = null;
            string? problem = null;
            RunOnThread(() =>
            {
                result = AeCompiler.Check(new[] { new SourceFile("deep.ae", text) }, maxErrorsPerFile);
                problem = VerifyResult(new[] { ("deep.ae", text) }, result);
            }, SmallStack, () => name);
            Assert.True(problem == null, name + ": " + problem);
            return result!;
        }

        private static string Summary(CheckResult r)
            => string.Join(", ", r.Diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key + " x" + g.Count()))
               + "\n" + TestSupport.Format(r.Diagnostics.Take(10));

        // ================================================================ the properties

        /// <summary>Checks every input (alone, as one file) and fails with a shrunk reproducer per kind of problem.</summary>
        private static void CheckAll(IReadOnlyList<string> inputs, string what, string path = "fuzz.ae")
        {
            int current = -1;
            RunOnThread(() =>
            {
                var failures = new Failures();
                for (int i = 0; i < inputs.Count; i++)
                {
                    current = i;
                    var problem = Verify(new[] { (path, inputs[i]) });
                    if (problem == null || failures.Has(problem)) continue;
                    var kind = Kind(problem);
                    var small = Shrink(inputs[i], t => { var p = Verify(new[] { (path, t) }); return p != null && Kind(p) == kind; });
                    failures.Add(problem, $"{what}, input {i}; shrunk reproducer: {Literal(small)}\n  problem on it: {Verify(new[] { (path, small) })}");
                }
                failures.AssertNone();
            }, SmallStack, () => $"{what}, input {current}: {Literal(current >= 0 ? inputs[current] : "")}");
        }

        /// <summary>Null when the check of these files behaves; otherwise what went wrong.</summary>
        internal static string? Verify((string Path, string Text)[] files)
        {
            CheckResult first, second;
            try
            {
                first = AeCompiler.Check(files.Select(f => new SourceFile(f.Path, f.Text)).ToArray());
                second = AeCompiler.Check(files.Select(f => new SourceFile(f.Path, f.Text)).ToArray());
            }
            catch (Exception ex)
            {
                return "threw " + ex.GetType().Name + ": " + ex.Message + "\n" + ex.StackTrace;
            }
            var problem = VerifyResult(files, first);
            if (problem != null) return problem;
            if (!first.Diagnostics.SequenceEqual(second.Diagnostics))
                return "not deterministic: two checks of the same text gave different diagnostics:\n"
                       + TestSupport.Format(first.Diagnostics) + "\n--- vs ---\n" + TestSupport.Format(second.Diagnostics);
            return null;
        }

        private static string? VerifyResult((string Path, string Text)[] files, CheckResult result)
        {
            var texts = new Dictionary<string, (string Text, int[] LineStarts)>(StringComparer.Ordinal);
            foreach (var (path, raw) in files)
            {
                var text = raw.Length > 0 && raw[0] == '\uFEFF' ? raw.Substring(1) : raw;
                texts[path] = (text, LineStarts(text));
            }
            foreach (var d in result.Diagnostics)
            {
                if (d.Id == "AE0099") return "internal error AE0099: " + d;
                if (!texts.TryGetValue(d.Path, out var file)) return "diagnostic for a file that was not checked: " + d;
                var (text, lines) = file;
                if (d.Span.Start < 0 || d.Span.Start > d.Span.End || d.Span.End > text.Length)
                    return $"span {d.Span} outside the file (length {text.Length}): {d}";
                var start = Position(lines, d.Span.Start);
                var end = Position(lines, d.Span.End);
                if (d.Start != start || d.End != end)
                    return $"line/column {d.Start}-{d.End} do not match span {d.Span} (expected {start}-{end}): {d}";
                if (d.Descriptor != DiagnosticCatalog.All.FirstOrDefault(x => x.Id == d.Id))
                    return "diagnostic with an id that is not in the catalogue: " + d;
                // Names are reported at the name: the quoted name in the message is the text under the span.
                if (d.Id is "AE0010" or "AE0016" && QuotedName(d.Message) is string name && text.Substring(d.Span.Start, d.Span.Length) != name)
                    return $"{d.Id} for '{name}' points at '{text.Substring(d.Span.Start, Math.Min(d.Span.Length, 80))}': {d}";
            }
            return null;
        }

        private static string? QuotedName(string message)
        {
            int a = message.IndexOf('\'', StringComparison.Ordinal);
            int b = a < 0 ? -1 : message.IndexOf('\'', a + 1);
            return b < 0 ? null : message.Substring(a + 1, b - a - 1);
        }

        /// <summary>Where each line starts, independently of the compiler: LF, CRLF and a lone CR each end a line.</summary>
        private static int[] LineStarts(string text)
        {
            var starts = new List<int> { 0 };
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '\n') starts.Add(i + 1);
                else if (text[i] == '\r')
                {
                    if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                    starts.Add(i + 1);
                }
            }
            return starts.ToArray();
        }

        private static LinePosition Position(int[] lineStarts, int offset)
        {
            int lo = 0, hi = lineStarts.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) / 2;
                if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
            }
            return new LinePosition(lo + 1, offset - lineStarts[lo] + 1);
        }

        /// <summary>The kind of a problem (its first line, without positions), so one bug is reported once, not a thousand times.</summary>
        internal static string Kind(string problem)
        {
            var line = problem.Split('\n')[0];
            if (line.StartsWith("threw ", StringComparison.Ordinal)) return line.Split(':')[0] + "@" + problem.Split('\n').Skip(1).FirstOrDefault()?.Trim();
            if (line.StartsWith("span ", StringComparison.Ordinal)) return "span outside";
            if (line.StartsWith("line/column", StringComparison.Ordinal)) return "line/column";
            if (line.StartsWith("internal error", StringComparison.Ordinal)) return "AE0099 " + line.Split(':').Skip(4).FirstOrDefault();
            if (line.StartsWith("AE00", StringComparison.Ordinal)) return line.Substring(0, 6) + " misplaced";
            return line.Split(':')[0];
        }

        private sealed class Failures
        {
            private readonly Dictionary<string, string> _byKind = new(StringComparer.Ordinal);
            public bool Has(string problem) => _byKind.ContainsKey(Kind(problem));
            public void Add(string problem, string detail)
            {
                var kind = Kind(problem);
                if (!_byKind.ContainsKey(kind)) _byKind[kind] = problem + "\n  " + detail;
            }
            public void AssertNone()
            {
                Assert.True(_byKind.Count == 0, $"{_byKind.Count} kind(s) of failure:\n\n" + string.Join("\n\n", _byKind.Values));
            }
        }

        /// <summary>Delta debugging, character chunks: the smallest text that still fails, within a budget of checks.</summary>
        internal static string Shrink(string text, Func<string, bool> fails, int budget = 2000)
        {
            int chunk = Math.Max(1, text.Length / 2);
            while (budget > 0)
            {
                bool progress = false;
                for (int i = 0; i + chunk <= text.Length && budget > 0;)
                {
                    var candidate = text.Remove(i, chunk);
                    budget--;
                    if (fails(candidate)) { text = candidate; progress = true; }
                    else i += chunk;
                }
                if (!progress)
                {
                    if (chunk == 1) break;
                    chunk /= 2;
                }
            }
            return text;
        }

        /// <summary>A C# string literal of the text (non-ASCII escaped), cut to a readable length.</summary>
        internal static string Literal(string text)
        {
            var sb = new StringBuilder("\"");
            foreach (var c in text.Length > 3000 ? text.Substring(0, 3000) : text)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 32 || c > 126) sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
            if (text.Length > 3000) sb.Append(" /* ... ").Append(text.Length).Append(" characters in all */");
            return sb.ToString();
        }

        private static int StableHash(string s)
        {
            unchecked
            {
                int h = 17;
                foreach (var c in s.Replace('\\', '/')) h = h * 31 + c;
                return h & 0x7fffffff;
            }
        }

        /// <summary>Runs on a thread with the given stack and a watchdog; rethrows what the body threw.</summary>
        private static void RunOnThread(Action body, int stackSize, Func<string> describe)
        {
            Exception? error = null;
            var thread = new Thread(() =>
            {
                try { body(); }
                catch (Exception ex) { error = ex; }
            }, stackSize) { IsBackground = true, Name = "robustness" };
            thread.Start();
            if (!thread.Join(HangLimit))
                Assert.Fail($"no result after {HangLimit.TotalSeconds} s (a hang): {describe()}");
            if (error != null) ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    /// <summary>
    /// Seeded generator of AE-ish text: token streams from the language's vocabulary and its lexical
    /// corner cases, grammar-shaped programs with random holes, and mutations of existing files.
    /// </summary>
    internal sealed class AeFuzzer
    {
        private readonly Random _rng;

        public AeFuzzer(int seed) { _rng = new Random(seed); }

        public int Next(int max) => _rng.Next(max);
        private bool Chance(double p) => _rng.NextDouble() < p;
        private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

        internal static readonly string[] Keywords =
        {
            "law", "cell", "group", "use", "rule", "update", "smooth", "fixed", "dim", "param", "input", "state", "coeff",
            "signal", "acc", "net", "require", "in", "log", "when", "else", "true", "false", "inf", "real", "int", "bool", "named",
            "without",
        };

        internal static readonly string[] Punctuation =
        {
            "{", "}", "(", ")", "[", "]", ",", ";", ":", ".", "'", "?", "->", "=", "+=", "+", "-", "*", "/", "%", "^",
            "<", "<=", ">", ">=", "==", "!=", "&&", "||", "!", "&", "|", "=>", "<-", "::",
        };

        internal static readonly string[] Identifiers =
        {
            "x", "y", "n", "k", "g", "L", "T", "V", "theta", "alpha", "mu", "sigma", "θ", "α", "ρ", "β_2", "Δx", "_", "_tmp", "g0", "AE1",
            "step", "pi", "ema", "lp", "prev", "latch", "noise", "tanh", "softplus", "sigmoid", "exp", "log1p", "sqrt", "abs", "relu",
            "clamp", "softclamp", "min", "max", "smoothmax", "lerp", "isfinite", "finite_or", "sanitize", "sum", "mean", "dot", "norm",
            "cosine", "softmax", "concat", "logsumexp", "mlp", "linear", "e\u0301", "x\u0308y", "\U0001D465", "ab" + new string('c', 70),
        };

        internal static readonly string[] Numbers =
        {
            "0", "1", "2", "3", "0.5", ".5", "1.", "1e", "1e+", "1e-", "1e-3", "1E10", "3e-4", "1e400", "1e-400", "-1", "3x", "1e5f",
            "0x1F", "007", "123456789012345678901234567890", "1.e5", "1..2", "2.5e+3", "9" + new string('9', 400),
        };

        internal static readonly string[] Strings =
        {
            "\"title\"", "\"\"", "\"unterminated", "\"esc \\\" quote\"", "\"\\\\\"", "\"θ ρ α\"", "\"ends in backslash\\", "\"\t\"",
        };

        internal static readonly string[] Comments = { "// line comment\n", "//", "/* block */", "/* unterminated", "/**/", "/*/", "*/", "/* a\nb */" };

        internal static readonly string[] Trivia = { " ", "  ", "\t", "\n", "\r\n", "\r", "\f", "\v", "\u00A0", "\n\n" };

        internal static readonly string[] Odd =
        {
            "\0", "\uFEFF", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uD83D\uDE00", "#", "@", "$", "`", "~", "\\", "\u200B", "\u2028",
            "\u0301", "\uFFFD", "\uFFFF", "\u0085", "\u001B",
        };

        private static readonly string[] BinaryOps = { "+", "-", "*", "/", "%", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||" };

        /// <summary>One token of any kind, or a random character.</summary>
        public string Token()
        {
            int r = _rng.Next(100);
            if (r < 18) return Pick(Keywords);
            if (r < 40) return Pick(Punctuation);
            if (r < 60) return Pick(Identifiers);
            if (r < 72) return Pick(Numbers);
            if (r < 76) return Pick(Strings);
            if (r < 80) return Pick(Comments);
            if (r < 86) return Pick(Trivia);
            if (r < 92) return Pick(Odd);
            return ((char)_rng.Next(0, 0x10000)).ToString();
        }

        public string TokenStream()
        {
            var sb = new StringBuilder();
            if (Chance(0.1)) sb.Append('\uFEFF');
            int n = _rng.Next(0, 120);
            for (int i = 0; i < n; i++)
            {
                sb.Append(Token());
                int sep = _rng.Next(10);
                if (sep < 6) sb.Append(' ');
                else if (sep < 8) sb.Append(Pick(Trivia));
            }
            return sb.ToString();
        }

        // ---- grammar-shaped programs ----

        private readonly List<string> _names = new();
        private readonly List<string> _groups = new();

        private string Name()
        {
            if (_names.Count > 0 && Chance(0.8)) return Pick(_names);
            return Pick(Identifiers);
        }

        private string Fresh(string prefix)
        {
            var name = prefix + _rng.Next(0, 30).ToString(CultureInfo.InvariantCulture);
            _names.Add(name);
            return name;
        }

        public string Program()
        {
            _names.Clear();
            var sb = new StringBuilder();
            if (Chance(0.05)) sb.Append('\uFEFF');
            int units = 1 + _rng.Next(3);
            for (int u = 0; u < units; u++)
            {
                int kind = _rng.Next(10);
                if (kind < 2)
                {
                    var g = "G" + _rng.Next(4).ToString(CultureInfo.InvariantCulture);
                    _groups.Add(g);
                    sb.Append("group ").Append(g).Append(Title()).Append(" {\n");
                    int rules = _rng.Next(4);
                    for (int i = 0; i < rules; i++) sb.Append(Chance(0.2) ? "  use " + GroupName() + ";\n" : Rule());
                    sb.Append("}\n");
                    continue;
                }
                if (Chance(0.2)) sb.Append("smooth ");
                sb.Append(kind < 7 ? "law " : "cell ").Append("U").Append(_rng.Next(5)).Append(Title());
                if (kind == 9 || Chance(0.05))
                {
                    // a variant: law V = Base without R1, R2;
                    var ids = Enumerable.Range(0, _rng.Next(0, 4)).Select(_ => Chance(0.8) ? "R" + _rng.Next(6).ToString(CultureInfo.InvariantCulture) : Pick(Identifiers));
                    sb.Append(" = U").Append(_rng.Next(5)).Append(Chance(0.9) ? " without " : " ").Append(string.Join(", ", ids)).Append(";\n");
                    continue;
                }
                sb.Append(" {\n");
                int members = _rng.Next(12);
                for (int i = 0; i < members; i++) sb.Append(Declaration());
                int rulesInUnit = _rng.Next(5);
                for (int i = 0; i < rulesInUnit; i++) sb.Append(Chance(0.15) ? "  use " + GroupName() + ";\n" : Rule());
                for (int i = 0; i < 2 && Chance(0.3); i++) sb.Append(Declaration());
                sb.Append("}\n");
            }
            var text = sb.ToString();
            return Chance(0.4) ? Damage(text, 1 + _rng.Next(3)) : text;
        }

        private string GroupName() => _groups.Count > 0 && Chance(0.8) ? Pick(_groups) : "G" + _rng.Next(6).ToString(CultureInfo.InvariantCulture);

        private string Title() => Chance(0.5) ? " \"" + Pick(Identifiers) + " title\"" : "";

        private string Type()
        {
            var scalar = Pick(new[] { "real", "real", "int", "bool" });
            if (Chance(0.3)) scalar += "[" + DimExpr() + (Chance(0.05) ? ", " + DimExpr() : "") + "]";
            return ": " + scalar;
        }

        private string DimExpr() => _rng.Next(5) switch
        {
            0 => _rng.Next(-1, 8).ToString(CultureInfo.InvariantCulture),
            1 => Name(),
            2 => Name() + " + " + _rng.Next(3).ToString(CultureInfo.InvariantCulture),
            3 => "2 * " + Name(),
            _ => Expr(1),
        };

        private string Range()
        {
            var open = Chance(0.5) ? "[" : "(";
            var close = Chance(0.5) ? "]" : ")";
            return " in " + open + Expr(1) + ", " + Expr(1) + close;
        }

        private string Declaration()
        {
            switch (_rng.Next(11))
            {
                case 0: return "  dim " + Fresh("n") + (Chance(0.5) ? " = " + DimExpr() : "") + ";\n";
                case 1:
                case 2:
                    return "  param " + Fresh("p") + (Chance(0.3) ? Type() : "") + (Chance(0.3) ? Range() : "") + " = " + Expr(2) + ";\n";
                case 3: return "  input " + Fresh("i") + Type() + ";\n";
                case 4: return "  state " + Fresh("s") + (Chance(0.6) ? Type() : "") + (Chance(0.7) ? " = " + Expr(1) : "") + ";\n";
                case 5: return "  coeff " + Fresh("c") + (Chance(0.2) ? Type() : "") + (Chance(0.8) ? Range() : "") + (Chance(0.3) ? " log" : "") + (Chance(0.7) ? " = " + Expr(1) : "") + ";\n";
                case 6: return "  signal " + Fresh("g") + (Chance(0.4) ? Type() : "") + (Chance(0.5) ? " = " + Expr(1) : "") + (Chance(0.2) ? ", " + Fresh("g") : "") + ";\n";
                case 7: return "  acc " + Fresh("a") + (Chance(0.3) ? Type() : "") + (Chance(0.8) ? " = " + Expr(1) : "") + ";\n";
                case 8:
                {
                    var widths = string.Join(" -> ", Enumerable.Range(0, _rng.Next(1, 5)).Select(_ => DimExpr()));
                    var act = Chance(0.6) ? ", " + Pick(new[] { "tanh", "relu", "sigmoid", "softplus", "sin", "cos", "bogus" }) : "";
                    var named = Chance(0.3) ? " named " + string.Join(", ", Enumerable.Range(0, _rng.Next(1, 4)).Select(k => "l" + k)) : "";
                    return "  net " + Fresh("f") + ": " + Pick(new[] { "mlp", "linear", "conv" }) + "(" + widths + act + ")" + named + ";\n";
                }
                case 9: return "  require " + (Chance(0.5) ? Fresh("r") + ": " : "") + Expr(2) + ";\n";
                default: return "  use " + GroupName() + ";\n";
            }
        }

        private string Rule()
        {
            var sb = new StringBuilder("  ");
            if (Chance(0.15)) sb.Append("smooth ");
            if (Chance(0.15)) sb.Append("fixed ");
            if (Chance(0.2)) sb.Append("update");
            else sb.Append("rule ").Append(Chance(0.7) ? "R" + _rng.Next(6).ToString(CultureInfo.InvariantCulture) : Pick(Identifiers));
            sb.Append(Title()).Append(' ').Append(Block(0));
            return sb.Append('\n').ToString();
        }

        private string Block(int depth)
        {
            var sb = new StringBuilder("{\n");
            int n = _rng.Next(5);
            for (int i = 0; i < n; i++) sb.Append(Statement(depth));
            return sb.Append("  }").ToString();
        }

        private string Statement(int depth)
        {
            int r = _rng.Next(10);
            if (r < 2 && depth < 3)
            {
                var s = "    when " + Expr(2) + " " + Block(depth + 1);
                if (Chance(0.3)) s += " else when " + Expr(2) + " " + Block(depth + 1);
                if (Chance(0.4)) s += " else " + Block(depth + 1);
                return s + "\n";
            }
            var target = Chance(0.3) ? Fresh("v") : Name();
            var op = _rng.Next(10) switch { < 4 => " = ", < 8 => "' = ", 8 => " += ", _ => "' += " };
            return "    " + target + op + Expr(3) + ";\n";
        }

        private string Expr(int depth)
        {
            int r = _rng.Next(depth <= 0 ? 5 : 14);
            switch (r)
            {
                case 0: return Pick(new[] { "0", "1", "0.5", "2", "1e-12", "3e-4", "inf", "-1", "1e6" });
                case 1: return Name();
                case 2: return Name() + "'";
                case 3: return Pick(new[] { "true", "false", "step", "pi" });
                case 4: return Pick(Numbers);
                case 5: return "(" + Expr(depth - 1) + ")";
                case 6: return Pick(new[] { "-", "!", "+" }) + Expr(depth - 1);
                case 7:
                case 8:
                    return Expr(depth - 1) + " " + Pick(BinaryOps) + " " + Expr(depth - 1);
                case 9: return Expr(depth - 1) + " ? " + Expr(depth - 1) + " : " + Expr(depth - 1);
                default:
                {
                    var callee = Chance(0.8) ? Pick(Identifiers.Skip(21).ToArray()) : Name();
                    int args = _rng.Next(0, 5);
                    return callee + "(" + string.Join(", ", Enumerable.Range(0, args).Select(_ => Expr(depth - 1))) + ")";
                }
            }
        }

        // ---- mutations ----

        /// <summary>Splits text into tokens, whitespace and comments (roughly as the lexer does; exactness is not needed).</summary>
        internal static List<string> Split(string text)
        {
            var parts = new List<string>();
            int i = 0;
            while (i < text.Length)
            {
                int start = i;
                char c = text[i];
                if (char.IsWhiteSpace(c)) { while (i < text.Length && char.IsWhiteSpace(text[i])) i++; }
                else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/') { while (i < text.Length && text[i] != '\n') i++; }
                else if (c == '"') { i++; while (i < text.Length && text[i] != '"' && text[i] != '\n') i++; if (i < text.Length && text[i] == '"') i++; }
                else if (char.IsLetter(c) || c == '_') { while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++; }
                else if (char.IsDigit(c)) { while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '.')) i++; }
                else if (i + 1 < text.Length && Punctuation.Contains(text.Substring(i, 2))) i += 2;
                else i++;
                parts.Add(text.Substring(start, i - start));
            }
            return parts;
        }

        public string Mutate(string original)
        {
            var text = Damage(original, 1 + _rng.Next(4));
            if (Chance(0.05)) text = "\uFEFF" + text;
            return text;
        }

        private string Damage(string text, int operations)
        {
            var parts = Split(text);
            for (int op = 0; op < operations && parts.Count > 0; op++)
            {
                int i = _rng.Next(parts.Count);
                int len = Math.Min(parts.Count - i, 1 + _rng.Next(Chance(0.2) ? 60 : 8));
                switch (_rng.Next(9))
                {
                    case 0: // delete a range of tokens
                        parts.RemoveRange(i, len);
                        break;
                    case 1: // duplicate a range of tokens
                        parts.InsertRange(Chance(0.5) ? i : _rng.Next(parts.Count + 1), parts.GetRange(i, len));
                        break;
                    case 2: // swap two ranges of tokens
                    {
                        int j = _rng.Next(parts.Count);
                        int len2 = Math.Min(parts.Count - j, 1 + _rng.Next(8));
                        if (j >= i + len || j + len2 <= i)
                        {
                            var a = parts.GetRange(i, len);
                            var b = parts.GetRange(j, len2);
                            if (i < j) { parts.RemoveRange(j, len2); parts.InsertRange(j, a); parts.RemoveRange(i, len); parts.InsertRange(i, b); }
                            else { parts.RemoveRange(i, len); parts.InsertRange(i, b); parts.RemoveRange(j, len2); parts.InsertRange(j, a); }
                        }
                        break;
                    }
                    case 3: // insert random tokens
                    {
                        int n = 1 + _rng.Next(4);
                        for (int k = 0; k < n; k++) parts.Insert(i, (Chance(0.5) ? " " : "") + Token() + (Chance(0.5) ? " " : ""));
                        break;
                    }
                    case 4: // replace one token
                        parts[i] = Token();
                        break;
                    case 5: // truncate at a random character offset
                    {
                        var joined = string.Concat(parts);
                        parts = new List<string> { joined.Substring(0, _rng.Next(joined.Length + 1)) };
                        break;
                    }
                    case 6: // flip characters
                    {
                        var chars = string.Concat(parts).ToCharArray();
                        int flips = 1 + _rng.Next(4);
                        for (int k = 0; k < flips && chars.Length > 0; k++)
                        {
                            int at = _rng.Next(chars.Length);
                            chars[at] = _rng.Next(3) switch
                            {
                                0 => (char)(chars[at] ^ (1 << _rng.Next(16))),
                                1 => Pick(Odd)[0],
                                _ => (char)_rng.Next(32, 127),
                            };
                        }
                        parts = Split(new string(chars));
                        break;
                    }
                    case 7: // change the line endings
                    {
                        var nl = Pick(new[] { "\r\n", "\r", "\n\r" });
                        parts = Split(string.Concat(parts).Replace("\r\n", "\n").Replace("\n", nl));
                        break;
                    }
                    default: // rename an identifier everywhere or once
                    {
                        var target = parts[i];
                        if (target.Length > 0 && (char.IsLetter(target[0]) || target[0] == '_'))
                        {
                            var replacement = Pick(Identifiers);
                            bool everywhere = Chance(0.5);
                            for (int k = 0; k < parts.Count; k++)
                                if (parts[k] == target && (everywhere || k == i)) parts[k] = replacement;
                        }
                        break;
                    }
                }
            }
            return string.Concat(parts);
        }
    }
}
