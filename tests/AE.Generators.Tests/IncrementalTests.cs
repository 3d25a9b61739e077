using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>The generator's caching, observed through its tracked steps.</summary>
    public class IncrementalTests
    {
        private static readonly string[] AllStepNames =
        {
            AeTrackingNames.Files, AeTrackingNames.AllFiles, AeTrackingNames.Options,
            AeTrackingNames.Check, AeTrackingNames.Sources, AeTrackingNames.Diagnostics,
        };

        private static readonly IncrementalStepRunReason[] Reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

        private const string LawA = """
            law LawA "first law" {
              input x: real;
              coeff k in [0, 10] = 1;   // a trailing comment
              rule grow { k' = k + 0.5 * x; }
            }
            """;

        private const string LawB = """
            law LawB "second law" {
              input y: real;
              coeff c in [0, 1] = 0.5;
              rule shrink { c' = c * 0.9 + 0.01 * y; }
            }
            """;

        private static InMemoryAdditionalText A(string text = LawA) => Harness.File("a.ae", text);

        private static InMemoryAdditionalText B() => Harness.File("b.ae", LawB);

        private static IReadOnlyList<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step) =>
            result.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();

        private static string Describe(GeneratorRunResult result) => string.Join("\n",
            result.TrackedSteps.Concat(result.TrackedOutputSteps).Select(kv =>
                kv.Key + ": " + string.Join(", ", kv.Value.SelectMany(s => s.Outputs).Select(o => o.Reason))));

        [Fact]
        public void Every_step_has_its_tracking_name()
        {
            var run = Harness.Run(A(), B());
            foreach (var name in AllStepNames) Assert.True(run.Result.TrackedSteps.ContainsKey(name), name + " is not tracked\n" + Describe(run.Result));
            Assert.Equal(2, Outputs(run.Result, AeTrackingNames.Files).Count);
            Assert.Equal(2, Outputs(run.Result, AeTrackingNames.Sources).Count);
        }

        [Fact]
        public void An_unrelated_csharp_edit_reuses_every_step_and_adds_no_source()
        {
            var first = Harness.Run(A(), B());
            var driver = first.Driver.RunGenerators(first.Output.AddSyntaxTrees(
                CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Unrelated { } }", Harness.ParseOptions)));
            var result = driver.GetRunResult().Results.Single();

            foreach (var name in AllStepNames)
                Assert.True(Outputs(result, name).All(o => Reused.Contains(o.Reason)), name + "\n" + Describe(result));
            foreach (var output in result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs))
                Assert.Equal(IncrementalStepRunReason.Cached, output.Reason);
            Assert.Equal(first.Result.GeneratedSources.Select(s => s.SourceText.ToString()), result.GeneratedSources.Select(s => s.SourceText.ToString()));
        }

        [Fact]
        public void Editing_one_ae_file_re_emits_only_its_law()
        {
            var a = A();
            var first = Harness.Run(a, B());
            var edited = a.WithText(LawA.Replace("0.5 * x", "0.25 * x", StringComparison.Ordinal));
            var driver = first.Driver.ReplaceAdditionalText(a, edited).RunGenerators(first.Output);
            var result = driver.GetRunResult().Results.Single();

            var files = Outputs(result, AeTrackingNames.Files);
            Assert.Contains(files, o => o.Reason == IncrementalStepRunReason.Modified && ((AeFileInput)o.Value).Path == "/ae/a.ae");
            Assert.Contains(files, o => Reused.Contains(o.Reason) && ((AeFileInput)o.Value).Path == "/ae/b.ae");
            Assert.All(Outputs(result, AeTrackingNames.Check), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));

            var sources = Outputs(result, AeTrackingNames.Sources);
            Assert.Equal(2, sources.Count);
            Assert.Single(sources, o => o.Reason == IncrementalStepRunReason.Modified && ((AeGeneratedSource)o.Value).HintName == "LawA.g.cs");
            Assert.Single(sources, o => Reused.Contains(o.Reason) && ((AeGeneratedSource)o.Value).HintName == "LawB.g.cs");

            // The source output re-ran for LawA only: LawB's output is the cached one.
            var outputs = result.TrackedOutputSteps["SourceOutput"].SelectMany(s => s.Outputs).ToList();
            Assert.Contains(outputs, o => o.Reason == IncrementalStepRunReason.Cached);
            Assert.Contains(outputs, o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);

            var before = first.Result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
            var after = result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
            Assert.Equal(before["LawB.g.cs"], after["LawB.g.cs"]);
            Assert.NotEqual(before["LawA.g.cs"], after["LawA.g.cs"]);
            Assert.Contains("0.25", after["LawA.g.cs"]);
        }

        [Fact]
        public void A_comment_that_moves_no_line_re_emits_nothing()
        {
            var law = RepoPaths.Shipped("laws", "ae_sgdm.ae");
            var first = Harness.Run(law);
            first.AssertNoGeneratorFailure();
            string text = law.GetText().ToString();
            // A comment added at the end of an existing line of the law: no line moves, so neither do the #line directives.
            int at = text.IndexOf("coeff alpha", StringComparison.Ordinal);
            int eol = text.IndexOf('\n', at);
            var edited = law.WithText(text.Insert(eol, "   /* an added comment */"));
            var driver = first.Driver.ReplaceAdditionalText(law, edited).RunGenerators(first.Output);
            var result = driver.GetRunResult().Results.Single();

            Assert.All(Outputs(result, AeTrackingNames.Files), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
            Assert.All(Outputs(result, AeTrackingNames.Check), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
            foreach (var name in new[] { AeTrackingNames.Sources, AeTrackingNames.Diagnostics })
                Assert.True(Outputs(result, name).All(o => Reused.Contains(o.Reason)), name + "\n" + Describe(result));
            foreach (var output in result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs))
                Assert.True(Reused.Contains(output.Reason), Describe(result));
            Assert.Equal(first.Result.GeneratedSources.Select(s => s.SourceText.ToString()), result.GeneratedSources.Select(s => s.SourceText.ToString()));
        }

        [Fact]
        public void A_diagnostic_only_change_re_emits_no_source()
        {
            // A third file with an error: editing the error changes the diagnostics, not the sources of LawA and LawB.
            var broken = Harness.File("broken.ae", "law Broken { param p = 3x; }");
            var first = Harness.Run(A(), B(), broken);
            Assert.Contains("Invalid number '3x'", Assert.Single(first.Diagnostics, d => d.Id == "AE0003").GetMessage(), StringComparison.Ordinal);
            var driver = first.Driver.ReplaceAdditionalText(broken, broken.WithText("law Broken { param p = 3y; }")).RunGenerators(first.Output);
            var result = driver.GetRunResult().Results.Single();

            Assert.All(Outputs(result, AeTrackingNames.Check), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
            Assert.All(Outputs(result, AeTrackingNames.Diagnostics), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
            Assert.True(Outputs(result, AeTrackingNames.Sources).All(o => Reused.Contains(o.Reason)), Describe(result));
            // Of the two source outputs, only the one reporting diagnostics ran again.
            var outputs = result.TrackedOutputSteps["SourceOutput"].SelectMany(s => s.Outputs).ToList();
            Assert.Single(outputs, o => !Reused.Contains(o.Reason));
            Assert.Contains("Invalid number '3y'", Assert.Single(result.Diagnostics, d => d.Id == "AE0003").GetMessage(), StringComparison.Ordinal);
            Assert.Equal(first.Result.GeneratedSources.Select(s => s.SourceText.ToString()), result.GeneratedSources.Select(s => s.SourceText.ToString()));
        }

        [Fact]
        public void Changing_the_namespace_re_emits_every_law_without_re_reading_the_files()
        {
            var first = Harness.Run(A(), B());
            var driver = first.Driver
                .WithUpdatedAnalyzerConfigOptions(new TestOptionsProvider(new Dictionary<string, string> { ["build_property.AeNamespace"] = "Other.Laws" }))
                .RunGenerators(first.Output);
            var result = driver.GetRunResult().Results.Single();

            Assert.True(Outputs(result, AeTrackingNames.Files).All(o => Reused.Contains(o.Reason)), Describe(result));
            Assert.All(Outputs(result, AeTrackingNames.Options), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
            Assert.All(Outputs(result, AeTrackingNames.Sources), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
            Assert.True(Outputs(result, AeTrackingNames.Diagnostics).All(o => Reused.Contains(o.Reason)), Describe(result));
            Assert.All(result.GeneratedSources, s => Assert.Contains("\nnamespace Other.Laws\n", s.SourceText.ToString(), StringComparison.Ordinal));
        }

        [Fact]
        public void No_step_output_holds_a_symbol_compilation_syntax_or_location()
        {
            // A run with an error (diagnostics), a warning, a variant, a cell that is not emitted, and an edit.
            var a = A();
            var files = new AdditionalText[]
            {
                a, B(),
                RepoPaths.Shipped("laws", "ae_sgdm.ae"),
                RepoPaths.Shipped("cells", "ame_layer.ae"),
                Harness.File("broken.ae", "law Broken { param p = 3x; }"),
            };
            var first = Harness.Run(files);
            var driver = first.Driver.ReplaceAdditionalText(a, a.WithText(LawA + "\n// edited\n")).RunGenerators(first.Output);
            foreach (var result in new[] { first.Result, driver.GetRunResult().Results.Single() })
            {
                Assert.NotEmpty(result.TrackedSteps);
                // Our steps: Roslyn's input steps (AdditionalTexts, AnalyzerConfigOptions, ...) and output
                // steps (generated texts, diagnostics) are tracked too, but hold Roslyn's own objects.
                foreach (var name in AllStepNames)
                    foreach (var step in result.TrackedSteps[name])
                        foreach (var (value, _) in step.Outputs)
                            AssertPlainData(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance), 0);
            }
        }

        private static readonly Type[] Forbidden = { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel) };

        private static void AssertPlainData(object? value, string path, HashSet<object> seen, int depth)
        {
            if (value is null || depth > 40) return;
            var type = value.GetType();
            foreach (var f in Forbidden)
                Assert.False(f.IsAssignableFrom(type), $"{path} holds a {type.FullName} (a {f.Name})");
            if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) return;
            if (!type.IsValueType && !seen.Add(value)) return;

            if (value is ITuple tuple)
            {
                for (int i = 0; i < tuple.Length; i++) AssertPlainData(tuple[i], $"{path}.Item{i + 1}", seen, depth + 1);
                return;
            }
            if (value is IEnumerable sequence)
            {
                int i = 0;
                foreach (var item in sequence) AssertPlainData(item, $"{path}[{i++}]", seen, depth + 1);
                return;
            }
            // Our own models: every property (records expose their data as properties).
            Assert.True(type.Assembly == typeof(AeGenerator).Assembly, $"{path} holds a {type.FullName}, which is not one of the generator's models");
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
                if (p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
                    AssertPlainData(p.GetValue(value), $"{path}.{p.Name}", seen, depth + 1);
            foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
                AssertPlainData(f.GetValue(value), $"{path}.{f.Name}", seen, depth + 1);
        }
    }
}
