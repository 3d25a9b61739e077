using System;
using System.IO;
using System.Linq;
using AE.Experiments.Compilation;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>Loading .ae files, choosing a law and compiling it in memory, without the command line.</summary>
    public class CompilationTests
    {
        private static readonly string[] Sgdm = { "laws/ae_sgdm.ae" };

        [Fact]
        public void The_first_optimizer_law_is_compiled_into_the_default_namespace()
        {
            var law = CompiledLaw.Load(Sgdm, null, RepoPaths.Root);
            Assert.Equal("AeSgdm", law.Name);
            Assert.Equal("AE.Replay.AeSgdm", law.Type.FullName);
            Assert.Equal("laws/ae_sgdm.ae", law.LawFileDisplayPath);
            Assert.Equal(new[] { "brake", "AE8", "AE2", "AE4", "AE6", "AE3", "AE5" }, CompiledLaw.SwitchableRules(law.Target));

            var options = Activator.CreateInstance(LawSettings.OptionsType(law.Type))!;
            var instance = law.Create(3, options, seed: 7, ablated: new[] { "AE5" });
            Assert.Equal(3, instance.Dimension);
            Assert.Throws<ArgumentException>(() => law.Create(3, options, 0, new[] { "no_such_rule" }));
            Assert.Null(law.Refuses(options, 3));
            LawSettings.OptionsType(law.Type).GetProperty("beta_mu")!.SetValue(options, 1.0);
            Assert.Contains("beta_mu", law.Refuses(options, 3), StringComparison.Ordinal);
        }

        /// <summary>
        /// Names may be 255 letters (AE0019), of up to three bytes each in UTF-8: the in-memory assembly that holds such a
        /// law once took the whole name, past metadata's limit on an assembly's name ("exceeds the maximum length").
        /// </summary>
        [Theory]
        [InlineData('L')]
        [InlineData('\uA66E')]
        public void A_law_with_a_name_of_255_letters_compiles_and_steps(char letter)
        {
            using var dir = new TempDirectory();
            string name = new string(letter, 255);
            dir.Write("long.ae", "law " + name + " {\n  dim n;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n  update { theta' = theta - 0.5 * grad; }\n}\n");
            var law = CompiledLaw.Load(new[] { "long.ae" }, null, dir.Path);
            Assert.Equal(name, law.Name);
            var instance = law.Create(2, Activator.CreateInstance(LawSettings.OptionsType(law.Type))!, seed: 0, ablated: Array.Empty<string>());
            Assert.Equal(2, instance.Dimension);
        }

        [Fact]
        public void A_variant_is_chosen_by_name_and_the_same_code_is_compiled_once()
        {
            var set = LawSet.Load(Sgdm, RepoPaths.Root);
            var target = set.SelectOptimizer("AeSgdmNoResonance");
            Assert.Equal(new[] { "AE5" }, target.Ablate);
            var a = set.Compile(target);
            var b = CompiledLaw.Load(Sgdm, "AeSgdmNoResonance", RepoPaths.Root);
            Assert.Same(a.Type, b.Type);
            Assert.DoesNotContain("AE5", CompiledLaw.SwitchableRules(target));
        }

        [Fact]
        public void Targets_follow_the_files_then_their_positions_and_a_cell_is_not_an_optimizer()
        {
            var set = LawSet.Load(new[] { "laws/ae_sgdm.ae", "cells/residual_dynamics.ae" }, RepoPaths.Root);
            // Globbing sorts the files by display path: cells/ before laws/.
            Assert.Equal(new[] { "DynamicsModelResidual", "AeSgdm", "AeSgdmNoResonance", "AeSgdmLagged" }, set.Targets.Select(t => t.Name));
            var ex = Assert.Throws<LawInputException>(() => set.SelectOptimizer("DynamicsModelResidual"));
            Assert.Equal("'DynamicsModelResidual' in cells/residual_dynamics.ae, laws/ae_sgdm.ae is not " + LawSet.OptimizerShape
                + "; valid names: AeSgdm, AeSgdmNoResonance, AeSgdmLagged", ex.Message);
            var unknown = Assert.Throws<LawInputException>(() => set.SelectOptimizer("Nope"));
            Assert.StartsWith("no law 'Nope' in ", unknown.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Files_with_errors_missing_files_and_lawless_files_are_one_line_exceptions()
        {
            using var dir = new TempDirectory();
            dir.Write("bad.ae", "law Bad {\n  dim n;\n  input loss: real;\n  update { theta' = nope; }\n}\n");
            var bad = LawSet.Load(new[] { "bad.ae" }, dir.Path);
            var check = Assert.Throws<LawCheckException>(() => bad.SelectOptimizer(null, "this test needs a clean law"));
            Assert.NotEmpty(check.Errors);
            Assert.All(check.Errors, d => Assert.Equal(Dsl.Diagnostics.Severity.Error, d.Severity));
            Assert.Equal("bad.ae has " + check.Errors.Count + " error" + (check.Errors.Count == 1 ? "" : "s") + "; this test needs a clean law ('ae check bad.ae')", check.Message);

            var missing = Assert.Throws<LawInputException>(() => LawSet.Load(new[] { "missing.ae" }, dir.Path));
            Assert.Equal("file not found: 'missing.ae'", missing.Message);
            Assert.Equal("no file matches 'none/*.ae' (there is no folder 'none')", Assert.Throws<LawInputException>(() => LawSet.Load(new[] { "none/*.ae" }, dir.Path)).Message);

            var lawless = LawSet.Load(new[] { "cells/residual_dynamics.ae" }, RepoPaths.Root);
            Assert.False(lawless.Result.HasErrors);
            Assert.Equal("cells/residual_dynamics.ae has no law of the optimizer shape (input loss: real; input grad: real[n]; state theta: real[n]) to replay",
                Assert.Throws<LawInputException>(() => lawless.SelectOptimizer(null, purpose: "to replay")).Message);
        }

        [Fact]
        public void The_sha256_is_of_all_files_concatenated_in_order()
        {
            using var dir = new TempDirectory();
            dir.Write("b.ae", File.ReadAllText(Path.Combine(RepoPaths.Root, "laws", "ae_sgdm.ae")));
            dir.Write("a.ae", "// first\n");
            var set = LawSet.Load(new[] { "b.ae", "a.ae" }, dir.Path);
            Assert.Equal(new[] { "a.ae", "b.ae" }, set.Inputs.Select(i => i.DisplayPath));
            var bytes = File.ReadAllBytes(Path.Combine(dir.Path, "a.ae")).Concat(File.ReadAllBytes(Path.Combine(dir.Path, "b.ae"))).ToArray();
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant(), set.Sha256());
        }

        [Fact]
        public void The_sha256_is_of_the_bytes_that_were_checked_not_of_a_later_edit()
        {
            using var dir = new TempDirectory();
            string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "laws", "ae_sgdm.ae"));
            dir.Write("law.ae", text);
            var checkedBytes = File.ReadAllBytes(Path.Combine(dir.Path, "law.ae"));
            var set = LawSet.Load(new[] { "law.ae" }, dir.Path);
            dir.Write("law.ae", text + "\n// edited after the check\n");
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(checkedBytes)).ToLowerInvariant(), set.Sha256());
        }

        [Fact]
        public void Compiling_code_gives_its_warnings_and_its_errors()
        {
            var clean = LawCompiler.CompileCode("namespace W { public static class Ok { public static int X => 1; } }", "Ok");
            Assert.Empty(clean.Warnings);
            Assert.NotNull(clean.Assembly.GetType("W.Ok"));

            var warned = LawCompiler.CompileCode("namespace W { public static class Warned { public static int X() { int unused; return 1; } } }", "Warned");
            var warning = Assert.Single(warned.Warnings);
            Assert.StartsWith("Warned.g.cs(1,", warning, StringComparison.Ordinal);
            Assert.Contains("warning CS0168", warning, StringComparison.Ordinal);

            var ex = Assert.Throws<LawCompileException>(() => LawCompiler.CompileCode("namespace W { public static class Broken { static int Y() { int unused; return z; } } }", "Broken"));
            Assert.Equal("Broken", ex.TypeName);
            Assert.Contains("error CS0103", Assert.Single(ex.Errors), StringComparison.Ordinal);
            Assert.Contains("warning CS0168", Assert.Single(ex.Warnings), StringComparison.Ordinal);
        }
    }
}
