using System;
using System.IO;
using System.Linq;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>
    /// The law as a user's build compiles it: QuadraticDemo's AeSgdm was generated from laws/ae_sgdm.ae by
    /// the generator running inside the compiler. It replays every golden controller case of the seed.
    /// </summary>
    public class GeneratedLawConformanceTests
    {
        private static string Golden => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "golden"));

        public static TheoryData<string> Cases()
        {
            var data = new TheoryData<string>();
            foreach (var f in Directory.GetFiles(Golden, "*.json").Where(f => !Path.GetFileName(f).StartsWith("cell_", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal))
                data.Add(Path.GetFileNameWithoutExtension(f));
            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Generator_compiled_ae_sgdm_replays_the_seed(string name)
        {
            var golden = GoldenCase.Load(Path.Combine(Golden, name + ".json"));
            var law = LawSettings.Create(typeof(QuadraticDemo.Laws.AeSgdm), golden.Theta0.Length, golden.Settings);
            var trajectory = new LawRunner(law, golden.Problem).Run(golden.Theta0, golden.Steps);
            var report = ReplayComparison.Compare(golden, trajectory);
            Assert.True(report.Within, string.Join("\n", report.Failed.Select(c => c.ToString())));
            Assert.Equal(golden.Columns.Count(c => c != "step"), report.Columns.Count);
        }

        [Fact]
        public void The_generated_variant_has_no_resonance_code_and_beats_the_seed_on_quadratic_2d()
        {
            var golden = GoldenCase.Load(Path.Combine(Golden, "quadratic_2d.json"));
            var seed = new LawRunner(LawSettings.Create(typeof(QuadraticDemo.Laws.AeSgdm), 2, golden.Settings), golden.Problem).Run(golden.Theta0, golden.Steps);
            var variant = new LawRunner(LawSettings.Create(typeof(QuadraticDemo.Laws.AeSgdmNoResonance), 2, golden.Settings), golden.Problem).Run(golden.Theta0, golden.Steps);
            Assert.DoesNotContain("AE5", QuadraticDemo.Laws.AeSgdmNoResonance.RuleIds);
            double optimum = -13.0 / 6.0;
            Assert.True(seed.Signal(golden.Steps - 1, "L") - optimum > 1.0, "the seed law stalls (golden README)");
            Assert.True(variant.Signal(golden.Steps - 1, "L") - optimum < 1e-6, "without AE5 it converges");
        }
    }
}
