using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.Eval;
using AE.Dsl.Tests.Fuzz;
using AE.Dsl.Text;
using Xunit;
using Xunit.Abstractions;

namespace AE.Ilgpu.Tests
{
    /// <summary>
    /// Property test: random valid programs (the fuzz tests' generator), every optimizer-shaped law of them that
    /// the ILGPU backend emits, stepped on the CPU accelerator with group size 1 beside the reference interpreter
    /// from the same random start and inputs: every readable scalar and theta at every step bit for bit (the
    /// order of operations is the interpreter's; see IlgpuLawTests).
    /// </summary>
    public class RandomLawTests
    {
        private readonly ITestOutputHelper _output;

        public RandomLawTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Random_optimizer_laws_step_like_the_interpreter_bit_for_bit()
        {
            int laws = 0, refused = 0, programs = 0;
            var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (int seed = 1; seed <= 150 && laws < 40; seed++)
            {
                var check = AeCompiler.Check(new SourceFile("random" + seed + ".ae", ProgramGenerator.Generate(seed)));
                if (check.Diagnostics.Count > 0 || check.Program is null) continue;
                programs++;
                foreach (var target in EmitTarget.Of(check.Program).Where(t => t.VariantOf is null && t.IsOptimizerShape))
                {
                    int n = 1 + (seed * 7 + laws) % 9;
                    IlgpuLaw law;
                    try
                    {
                        law = new IlgpuLaw(target.Unit, n, new IlgpuLawOptions { GroupSize = 1, Seed = (ulong)seed, Accelerator = Cpu.Accelerator });
                    }
                    catch (EmitNotSupportedException ex)
                    {
                        refused++;
                        var key = ex.Message.Length > 40 ? ex.Message.Substring(0, 40) : ex.Message;
                        reasons[key] = reasons.TryGetValue(key, out var c) ? c + 1 : 1;
                        continue;
                    }
                    using (law)
                    {
                        laws++;
                        Compare(target, law, n, seed);
                    }
                }
            }
            _output.WriteLine($"{programs} clean programs, {laws} optimizer laws stepped, {refused} refused by the backend: " + string.Join("; ", reasons.Select(kv => kv.Key + " x" + kv.Value)));
            Assert.True(laws >= 30, $"only {laws} random laws ran; the property says little");
        }

        private static void Compare(EmitTarget target, IlgpuLaw law, int n, int seed)
        {
            var unit = target.Unit;
            string dim = unit.Dims.First(d => d.IsRuntime).Name;
            string loss = unit.Inputs[0].Name, grad = unit.Inputs[1].Name;
            string theta = CSharpEmitter.HostStates(unit).Single().Name;
            var rng = new Random(seed);
            var theta0 = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var interp = new Interpreter(unit, new Dictionary<string, int> { [dim] = n }, null, new Dictionary<string, double[]> { [theta] = theta0 }, seed: (ulong)seed);
            var t = (double[])theta0.Clone();
            for (int step = 1; step <= 6; step++)
            {
                var g = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
                double l = 1.0 / step + rng.NextDouble() * 0.1;
                law.Step(l, g, t);
                interp.Step(new Dictionary<string, double[]> { [loss] = new[] { l }, [grad] = g });
                string where = $"{target.Name} of random{seed}.ae, n = {n}, step {step}";
                for (int s = 0; s < law.SignalNames.Count; s++)
                    Assert.True(Same(interp.Scalar(law.SignalNames[s]), law.ReadSignal(s)), $"{law.SignalNames[s]} of {where}: {law.ReadSignal(s):R} against {interp.Scalar(law.SignalNames[s]):R}");
                var expected = interp.Get(theta);
                for (int i = 0; i < n; i++) Assert.True(Same(expected[i], t[i]), $"{theta}[{i}] of {where}: {t[i]:R} against {expected[i]:R}");
            }
        }

        /// <summary>The same double, NaN equal to NaN (the interpreter and the kernels both carry NaN through).</summary>
        private static bool Same(double a, double b) => a.Equals(b);
    }
}
