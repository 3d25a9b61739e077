using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>AE diagnostics as Roslyn reports them: located in the .ae file, configurable, never an exception.</summary>
    public class DiagnosticTests
    {
        private const string Broken = """
            law Broken "an invalid number on line 3" {
              input x: real;
              param p = 3x;
              coeff k in [0, 1] = 0.5;
              rule R { k' = k * p + x; }
            }
            """;

        private static (int Line, int Column) ZeroBased(string text, string needle)
        {
            int offset = text.IndexOf(needle, StringComparison.Ordinal);
            Assert.True(offset >= 0, needle);
            int line = text.Take(offset).Count(c => c == '\n');
            int column = offset - (text.LastIndexOf('\n', offset - 1) + 1);
            return (line, column);
        }

        [Fact]
        public void An_error_is_reported_at_its_line_and_column_in_the_ae_file()
        {
            var run = Harness.Run(Harness.File("laws/broken.ae", Broken));
            run.AssertNoGeneratorFailure();
            var d = Assert.Single(run.Diagnostics, x => x.Id == "AE0003");
            var span = d.Location.GetLineSpan();
            var (line, column) = ZeroBased(Broken, "3x");
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal("/ae/laws/broken.ae", span.Path);
            Assert.Equal(new Microsoft.CodeAnalysis.Text.LinePosition(line, column), span.StartLinePosition);
            Assert.Equal((2, 12), (line, column));
            Assert.Equal(LocationKind.ExternalFile, d.Location.Kind);
            Assert.Equal(Broken.IndexOf("3x", StringComparison.Ordinal), d.Location.SourceSpan.Start);
            // The form dotnet build prints: path(line,col): error id: message (1-based).
            Assert.StartsWith("/ae/laws/broken.ae(3,13): error AE0003: Invalid number '3x'", d.ToString(), StringComparison.Ordinal);
            Assert.Equal("AE", d.Descriptor.Category);
            Assert.Equal("docs/diagnostics.md#ae0003", d.Descriptor.HelpLinkUri);
            Assert.True(d.Descriptor.IsEnabledByDefault);
            // A law with an error generates nothing.
            Assert.Empty(run.Result.GeneratedSources);
        }

        [Fact]
        public void A_file_with_nul_characters_is_one_error_and_the_other_files_still_generate()
        {
            // Binary content as Roslyn decodes it: NULs among other bytes. One AE0006 for the file, nothing else from it.
            var noise = new StringBuilder();
            var random = new Random(3);
            for (int i = 0; i < 2048; i++) noise.Append((char)random.Next(0, 256));
            noise[5] = '\0';
            string text = noise.ToString();
            int firstNul = text.IndexOf('\0', StringComparison.Ordinal);
            var run = Harness.Run(Harness.File("laws/noise.ae", text), Harness.File("laws/good.ae", "law Good {\n  coeff a in [0, 1] = 0.5;\n  update { a' = a * 0.5; }\n}\n"));
            run.AssertNoGeneratorFailure();
            var d = Assert.Single(run.Diagnostics);
            Assert.Equal("AE0006", d.Id);
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal("/ae/laws/noise.ae", d.Location.GetLineSpan().Path);
            Assert.Equal(firstNul, d.Location.SourceSpan.Start);
            Assert.Contains("(character U+0000 at offset " + firstNul + ")", d.GetMessage(), StringComparison.Ordinal);
            Assert.Single(run.Result.GeneratedSources);
        }

        [Fact]
        public void A_file_with_hundreds_of_errors_reports_a_hundred_and_a_summary()
        {
            var run = Harness.Run(Harness.File("laws/many.ae", "law N { }\n" + new string('$', 130) + "\n"));
            run.AssertNoGeneratorFailure();
            Assert.Equal(100, run.Diagnostics.Count(d => d.Id == "AE0001"));
            var summary = Assert.Single(run.Diagnostics, d => d.Id == "AE0007");
            Assert.StartsWith("30 more errors in this file not shown", summary.GetMessage(), StringComparison.Ordinal);
            Assert.Equal(101, run.Diagnostics.Length);
        }

        [Fact]
        public void Every_catalogue_id_has_a_descriptor_with_a_help_link()
        {
            Assert.NotEmpty(AeDiagnostics.Descriptors);
            foreach (var (id, d) in AeDiagnostics.Descriptors)
            {
                Assert.Matches("^AE00[0-9][0-9]$", id);
                Assert.Equal(id, d.Id);
                Assert.Equal("docs/diagnostics.md#" + id.ToLowerInvariant(), d.HelpLinkUri);
                Assert.Equal("AE", d.Category);
                Assert.True(d.IsEnabledByDefault);
                Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()));
                // Errors cannot be downgraded (the law would silently have no code); warnings can be configured.
                Assert.Equal(d.DefaultSeverity == DiagnosticSeverity.Error, d.CustomTags.Contains(WellKnownDiagnosticTags.NotConfigurable));
            }
            Assert.Equal(DiagnosticSeverity.Warning, AeDiagnostics.Descriptors["AE0080"].DefaultSeverity);
            Assert.Equal(DiagnosticSeverity.Error, AeDiagnostics.Descriptors["AE0099"].DefaultSeverity);
        }

        [Fact]
        public void A_bom_does_not_shift_the_reported_position()
        {
            var run = Harness.Run(Harness.File("bom.ae", "\uFEFF" + Broken));
            var d = Assert.Single(run.Diagnostics, x => x.Id == "AE0003");
            Assert.Equal(new Microsoft.CodeAnalysis.Text.LinePosition(2, 12), d.Location.GetLineSpan().StartLinePosition);
            Assert.Equal(1 + Broken.IndexOf("3x", StringComparison.Ordinal), d.Location.SourceSpan.Start);
        }

        private const string Unused = """
            law Unused {
              input x: real;
              param spare = 1;
              coeff k in [0, 1] = 0.5;
              rule R { k' = k * 0.5 + 0.1 * x; }
            }
            """;

        private static Run WithSeverity(string id, ReportDiagnostic severity) => Harness.Run(
            new[] { Harness.File("unused.ae", Unused), Harness.File("broken.ae", Broken) },
            compilation: Harness.Compilation().WithOptions(Harness.Compilation().Options.WithSpecificDiagnosticOptions(
                new Dictionary<string, ReportDiagnostic> { [id] = severity, ["AE0003"] = ReportDiagnostic.Suppress })));

        [Fact]
        public void Warnings_follow_the_configured_severity_errors_do_not()
        {
            // What <NoWarn>, <WarningsAsErrors> and dotnet_diagnostic.ID.severity in a global config set.
            var plain = Harness.Run(Harness.File("unused.ae", Unused));
            Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(plain.Diagnostics, d => d.Id == "AE0050").Severity);

            var suppressed = WithSeverity("AE0050", ReportDiagnostic.Suppress);
            Assert.DoesNotContain(suppressed.Diagnostics, d => d.Id == "AE0050");
            var raised = WithSeverity("AE0050", ReportDiagnostic.Error);
            Assert.Equal(DiagnosticSeverity.Error, Assert.Single(raised.Diagnostics, d => d.Id == "AE0050").Severity);

            // The error stays an error although the options try to suppress it.
            Assert.Equal(DiagnosticSeverity.Error, Assert.Single(raised.Diagnostics, d => d.Id == "AE0003").Severity);
        }

        public static TheoryData<string, string> Hostile() => new()
        {
            { "empty", "" },
            { "bom only", "\uFEFF" },
            { "whitespace", " \r\n\t\n" },
            { "garbage", "\u0000\u0001}}}{{{ law law ; ;; '' \"unterminated /* ✓ 😀 \uD800 \\" },
            { "half a law", "law Half \"t\" { dim n; input g: real[n]; rule R { x = " },
            { "deep brackets", new string('(', 5000) + new string(')', 5000) },
            { "only a variant of nothing", "law V = Nothing without A, B;" },
            { "a group using itself", "group G { use G; }" },
        };

        [Theory]
        [MemberData(nameof(Hostile))]
        public void Hostile_input_never_throws(string name, string text)
        {
            var run = Harness.Run(Harness.File(name.Replace(' ', '_') + ".ae", text));
            run.AssertNoGeneratorFailure();
            if (text.Trim('\uFEFF', ' ', '\r', '\n', '\t').Length == 0)
            {
                Assert.Empty(run.Diagnostics);
                Assert.Empty(run.Result.GeneratedSources);
            }
            Assert.All(run.Diagnostics, d => Assert.StartsWith("AE", d.Id, StringComparison.Ordinal));
        }

        [Fact]
        public void A_huge_file_never_throws_and_is_checked_in_time()
        {
            // 400 renamed copies of the shipped law (about 3 MB), plus a tail of garbage.
            string law = RepoPaths.Shipped("laws", "ae_sgdm.ae").GetText().ToString();
            var sb = new StringBuilder();
            for (int i = 0; i < 400; i++)
                sb.Append(law.Replace("AeSgdmNoResonance", "AeSgdmNoResonance" + i, StringComparison.Ordinal)
                             .Replace("law AeSgdm ", "law AeSgdm" + i + " ", StringComparison.Ordinal)
                             .Replace("= AeSgdm without", "= AeSgdm" + i + " without", StringComparison.Ordinal));
            sb.Append("\n}}} law ( ;");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var run = Harness.Run(Harness.File("huge.ae", sb.ToString()));
            watch.Stop();
            run.AssertNoGeneratorFailure();
            Assert.Contains(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "took " + watch.Elapsed);
        }

        [Fact]
        public void An_unreadable_file_is_an_internal_error_naming_it_not_a_generator_crash()
        {
            var driver = Harness.Driver(new AdditionalText[] { new ThrowingAdditionalText("/ae/unreadable.ae"), Harness.File("b.ae", Unused) });
            driver = driver.RunGeneratorsAndUpdateCompilation(Harness.Compilation(), out _, out var diagnostics);
            var result = driver.GetRunResult().Results.Single();
            Assert.Null(result.Exception);
            Assert.DoesNotContain(diagnostics, d => d.Id is "CS8784" or "CS8785");
            var d = Assert.Single(diagnostics, x => x.Id == "AE0099");
            Assert.Contains("'/ae/unreadable.ae'", d.GetMessage(), StringComparison.Ordinal);
            Assert.Contains("disk on fire", d.GetMessage(), StringComparison.Ordinal);
            Assert.Equal("/ae/unreadable.ae", d.Location.GetLineSpan().Path);
            // The other file is still checked and emitted.
            Assert.Contains(result.GeneratedSources, s => s.HintName == "Unused.g.cs");
        }

        [Fact]
        public void Other_additional_files_are_ignored()
        {
            var run = Harness.Run(Harness.File("notes.txt", "law X { this is not AE }"), Harness.File("data.aex", "garbage {"));
            run.AssertNoGeneratorFailure();
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.Result.GeneratedSources);
            Assert.True(!run.Result.TrackedSteps.TryGetValue(AeTrackingNames.Files, out var files) || files.All(s => s.Outputs.IsEmpty));
        }

        [Fact]
        public void The_same_file_listed_twice_is_checked_once()
        {
            var run = Harness.Run(Harness.File("unused.ae", Unused), Harness.File("unused.ae", Unused));
            run.AssertNoGeneratorFailure();
            Assert.DoesNotContain(run.Diagnostics, d => d.Id == "AE0011");
            Assert.Equal(new[] { "Unused.g.cs" }, run.HintNames);
        }

        [Fact]
        public void Laws_whose_names_differ_only_in_case_get_distinct_hint_names()
        {
            var run = Harness.Run(Harness.File("a.ae", Unused.Replace("param spare = 1;", "", StringComparison.Ordinal)),
                                  Harness.File("b.ae", Unused.Replace("law Unused", "law unused", StringComparison.Ordinal).Replace("param spare = 1;", "", StringComparison.Ordinal)));
            run.AssertNoGeneratorFailure();
            Assert.Equal(new[] { "Unused.g.cs", "unused_2.g.cs" }, run.HintNames.OrderBy(h => h, StringComparer.Ordinal));
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
        }

        /// <summary>
        /// Names C# takes for a type of its own, or refuses for one: a law named 'var' turned every 'var x' of the namespace
        /// into its type, so the other laws failed too. Each compiles beside a law that uses SIMD code ('var' throughout).
        /// </summary>
        [Theory]
        [InlineData("law var")]
        [InlineData("law unmanaged")]
        [InlineData("law record")]
        [InlineData("law file")]
        [InlineData("law scoped")]
        [InlineData("law required")]
        [InlineData("law dynamic")]
        [InlineData("cell record")]
        [InlineData("cell file")]
        public void Units_named_like_what_CSharp_takes_for_a_type_compile_beside_others(string head)
        {
            string unit = head.StartsWith("cell", StringComparison.Ordinal)
                ? head + " {\n  input x: real[2];\n  state s: real[2] = 0;\n  signal y: real[2];\n  update { s' = s + x; y = s'; }\n}\n"
                : head + " {\n  state s: real = 0;\n  update { s' = s + 1; }\n}\n";
            const string momentum = """
                law Momentum {
                  dim n;
                  input loss: real;
                  input grad: real[n];
                  state theta: real[n];
                  state m: real[n] = 0;
                  param lr = 0.1;
                  update { m' = 0.9 * m + grad; theta' = theta - lr * m' + 0 * loss; }
                }
                """;
            var run = Harness.Run(Harness.File("odd.ae", unit), Harness.File("momentum.ae", momentum));
            run.AssertNoGeneratorFailure();
            Assert.Empty(run.Diagnostics);
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
        }

        /// <summary>A missing file is the compiler's CS2001, not an AE0099 "internal error" beside it; the other files still generate.</summary>
        [Fact]
        public void A_missing_file_is_left_to_the_compiler()
        {
            var run = Harness.Run(new MissingAdditionalText("/ae/missing.ae"), Harness.File("unused.ae", Unused.Replace("param spare = 1;", "", StringComparison.Ordinal)));
            run.AssertNoGeneratorFailure();
            Assert.Empty(run.Diagnostics);
            Assert.Equal(new[] { "Unused.g.cs" }, run.HintNames);
        }

        /// <summary>
        /// A file the compiler read as UTF-16 (by its BOM) or as Windows-1252 (a BOM-less file that is not UTF-8) is judged on its
        /// bytes, as ae check judges it: UTF-16 is not text (AE0006); one stray Latin-1 byte is AE0001 at it, and the rest is checked.
        /// </summary>
        [Fact]
        public void A_file_read_in_another_encoding_is_judged_on_its_bytes_as_ae_check_judges_it()
        {
            string law = Unused.Replace("param spare = 1;", "", StringComparison.Ordinal);
            var wide = Harness.Run(new InMemoryAdditionalText("/ae/wide.ae", law, Encoding.Unicode));
            wide.AssertNoGeneratorFailure();
            var d = Assert.Single(wide.Diagnostics);
            Assert.Equal("AE0006", d.Id);
            Assert.Contains("byte 0x00 at offset", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Empty(wide.HintNames);

            var latin = Harness.Run(new InMemoryAdditionalText("/ae/latin.ae", "// caf\u00E9\n" + law.Replace("k' = k", "k' = k \u00E4", StringComparison.Ordinal), Encoding.Latin1));
            latin.AssertNoGeneratorFailure();
            var stray = Assert.Single(latin.Diagnostics);
            Assert.Equal("AE0001", stray.Id);
            Assert.Contains("U+FFFD", stray.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        /// <summary>A legal name of 255 characters is a hint name that still fits a file name (EmitCompilerGeneratedFiles), and two such names stay two files.</summary>
        [Fact]
        public void Long_names_get_hint_names_that_fit_a_file_name()
        {
            string Named(string name) => Unused.Replace("param spare = 1;", "", StringComparison.Ordinal).Replace("law Unused", "law " + name, StringComparison.Ordinal);
            string a = "L" + new string('θ', 253) + "a", b = "L" + new string('θ', 253) + "b";
            var run = Harness.Run(Harness.File("a.ae", Named(a)), Harness.File("b.ae", Named(b)));
            run.AssertNoGeneratorFailure();
            Assert.Empty(run.Diagnostics);
            Assert.Equal(2, run.HintNames.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.All(run.HintNames, h => Assert.InRange(Encoding.UTF8.GetByteCount(h), 1, 140));
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
        }

        [Theory]
        [InlineData(null, null, "AE.Generated")]
        [InlineData(null, "Consumer", "Consumer")]
        [InlineData("My.Laws", "Consumer", "My.Laws")]
        [InlineData("", "Root.Ns", "Root.Ns")]
        [InlineData("my-app.1st.class", null, "my_app._1st.@class")]
        [InlineData(null, "My-App", "My_App")]
        [InlineData("  Spaced.Ns ", null, "Spaced.Ns")]
        public void The_namespace_comes_from_AeNamespace_then_RootNamespace(string? aeNamespace, string? rootNamespace, string expected)
        {
            var options = new Dictionary<string, string>();
            if (aeNamespace is not null) options["build_property.AeNamespace"] = aeNamespace;
            if (rootNamespace is not null) options["build_property.RootNamespace"] = rootNamespace;
            var run = Harness.Run(new[] { Harness.File("unused.ae", Unused.Replace("param spare = 1;", "", StringComparison.Ordinal)) }, options);
            run.AssertNoGeneratorFailure();
            Assert.Contains("\nnamespace " + expected + "\n", run.Source("Unused.g.cs"), StringComparison.Ordinal);
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
            // An AeNamespace the user set and the generator had to change is a warning naming both (RootNamespace comes from
            // the project's name, which C# projects rewrite the same way without a word).
            if (aeNamespace is not null && aeNamespace.Trim().Length > 0 && aeNamespace.Trim() != expected)
            {
                var d = Assert.Single(run.Diagnostics);
                Assert.Equal("AE0008", d.Id);
                Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
                Assert.Equal("AeNamespace '" + aeNamespace.Trim() + "' is not a C# namespace; the laws and cells are generated in '" + expected + "' instead: set AeNamespace to a namespace such as '" + expected + "'",
                    d.GetMessage(CultureInfo.InvariantCulture));
            }
            else Assert.Empty(run.Diagnostics);
        }

        /// <summary>
        /// With a path map (-pathmap, MSBuild's PathMap, deterministic CI builds) the generated code names the .ae files as the
        /// compiler names its own sources: the same project built in two folders gives the same code, header and #line included,
        /// and so do the ILGPU kernels of a project that references ILGPU (their statement comments once kept the real path).
        /// </summary>
        [Fact]
        public void The_build_path_map_applies_to_the_paths_the_generated_code_names()
        {
            string law = Unused.Replace("param spare = 1;", "", StringComparison.Ordinal);
            string Generated(string root)
            {
                var map = System.Collections.Immutable.ImmutableArray.Create(new KeyValuePair<string, string>(root, "/_/"));
                var compilation = Harness.Compilation().AddReferences(MetadataReference.CreateFromFile(typeof(ILGPU.ArrayView<>).Assembly.Location));
                compilation = compilation.WithOptions(compilation.Options.WithSourceReferenceResolver(
                    new SourceFileResolver(System.Collections.Immutable.ImmutableArray<string>.Empty, null, map)));
                const string sgd = "law Sgd {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  update { theta' = theta - 0.1 * grad; }\n}\n";
                var run = Harness.Run(new[] { new InMemoryAdditionalText(root + "laws/unused.ae", law), new InMemoryAdditionalText(root + "laws/sgd.ae", sgd) }, compilation: compilation);
                run.AssertNoGeneratorFailure();
                Assert.Contains("SgdIlgpuF32.g.cs", run.HintNames);
                return string.Join("\n", run.Result.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => s.HintName + "\n" + s.SourceText));
            }
            string a = Generated("/checkout/one/"), b = Generated("/elsewhere/two/");
            Assert.Equal(a, b);
            Assert.Contains("(/_/laws/sgd.ae:6)", a, StringComparison.Ordinal);   // a kernel's statement comment
            Assert.Contains("from /_/laws/unused.ae: law Unused.", a, StringComparison.Ordinal);
            Assert.Matches("\n *#line [^\n]*\"/_/laws/unused.ae\"", a);
            Assert.DoesNotContain("/checkout/", a, StringComparison.Ordinal);
        }

        [Fact]
        public void The_generator_assembly_carries_the_language_and_depends_on_nothing_else()
        {
            var asm = typeof(AeGenerator).Assembly;
            Assert.NotNull(asm.GetType("AE.Dsl.AeCompiler"));
            var references = asm.GetReferencedAssemblies().Select(a => a.Name!).ToList();
            Assert.DoesNotContain("AE.Dsl", references);
            Assert.All(references, name => Assert.True(
                name is "netstandard" or "mscorlib" || name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || name.StartsWith("System.", StringComparison.Ordinal),
                "the analyzer references " + name));
        }
    }
}
