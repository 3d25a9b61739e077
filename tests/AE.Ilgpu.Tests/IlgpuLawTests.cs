using System;
using System.Collections.Generic;
using AE.Dsl.Eval;
using AE.Ilgpu;
using AE.Kernels.Tests;
using Xunit;
using Xunit.Abstractions;

namespace AE.Ilgpu.Tests
{
    public class IlgpuLawTests
    {
        private readonly ITestOutputHelper _output;

        public IlgpuLawTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Smoke()
        {
            var unit = Laws.Unit("ae_sgdm.ae");
            int n = 37;
            using var law = new IlgpuLaw(unit, n, new IlgpuLawOptions { Accelerator = Cpu.Accelerator });
            var reference = EmittedLaw.Create(unit, n, new Dictionary<string, double>());
            var rng = new Random(1);
            var t1 = new double[n];
            var t2 = new double[n];
            for (int i = 0; i < n; i++) t1[i] = t2[i] = rng.NextDouble();
            var g = new double[n];
            for (int s = 0; s < 20; s++)
            {
                for (int i = 0; i < n; i++) g[i] = rng.NextDouble() - 0.5;
                law.Step(1.0 / (s + 1), g, t1);
                reference.Step(1.0 / (s + 1), g, t2);
                _output.WriteLine($"{s}: {t1[0]:R} {t2[0]:R} alpha {law.ReadSignal("alpha"):R} {reference.ReadSignal(System.Linq.Enumerable.ToList(reference.SignalNames).IndexOf("alpha")):R}");
            }
        }
    }
}
