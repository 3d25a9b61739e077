using System;
using System.IO;
using AE.Engine;
using Xunit;

namespace AE.Engine.Tests
{
    public class ExperimentLawTests
    {
        private const string Sized = """
            law Sized {
              dim n;
              dim w = n - 3;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              state u: real[w] = 1;
              update { u' = u * 0.5; theta' = theta - 0.1 * grad * (1 + 0 * sum(u')) + 0 * loss; }
            }
            """;

        private const string Bounded = """
            law Bounded {
              dim n;
              param k in (0, 1] = 0.5;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              coeff a in [0, n - 15] = 0;
              require big: n >= 5;
              update { theta' = theta - k * grad + a * 0 * loss; }
            }
            """;

        /// <summary>
        /// Checks over n beyond the dims (a coefficient's bounds, a require) fail at the least size the dims allow, which
        /// says nothing about a task's: a law loaded from its source (a cluster's worker, an experiment) refused every task,
        /// where it runs at n = 20. A settings error is still one, at any size; the task's size is judged when a run is built.
        /// </summary>
        [Fact]
        public void Checks_over_n_are_judged_at_the_tasks_size_not_at_the_probes()
        {
            string dir = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                File.WriteAllText(Path.Combine(dir, "bounded.ae"), Bounded);
                var law = new LawSource(new[] { "bounded.ae" }, null, Array.Empty<ParamSetting>(), dir).Load("sweep");
                Assert.Equal(20, law.Create(20, 0).Dimension);
                Assert.StartsWith("Bounded does not run at n = 10: the bounds of 'a' are empty: [0, -5]", law.Refuses(10), StringComparison.Ordinal);
                var settings = new[] { new ParamSetting("k", "2") };
                var refused = Assert.Throws<EngineException>(() => new LawSource(new[] { "bounded.ae" }, null, settings, dir).Load("sweep"));
                Assert.StartsWith("Bounded rejects its settings: param 'k' must lie in (0, 1]", refused.Message, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        /// <summary>
        /// A law loaded from its source (as a cluster's worker loads the client's law) is built at the least size its dims
        /// allow, not at n = 1, where a dim derived from n (w = n - 3) is below 1: every worker refused such a law. Built at
        /// a size of the caller's, the same law is refused there in one line.
        /// </summary>
        [Fact]
        public void A_law_from_its_source_is_built_at_the_least_size_its_dims_allow()
        {
            string dir = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                File.WriteAllText(Path.Combine(dir, "sized.ae"), Sized);
                var source = new LawSource(new[] { "sized.ae" }, null, Array.Empty<ParamSetting>(), dir);
                var law = source.Load("sweep");
                Assert.Equal("Sized", law.Name);
                Assert.Equal(20, law.Create(20, 0).Dimension);
                Assert.Null(law.Refuses(20));
                Assert.StartsWith("Sized does not run at n = 3: dimension 'w' = n - 3 is 0 for n = 3", law.Refuses(3), StringComparison.Ordinal);
                var refused = Assert.Throws<EngineException>(() => ExperimentLaw.Load(new[] { "sized.ae" }, null, Array.Empty<ParamSetting>(), Array.Empty<string>(), dir, TextWriter.Null, "run", 2));
                Assert.StartsWith("Sized does not run at n = 2: ", refused.Message, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
