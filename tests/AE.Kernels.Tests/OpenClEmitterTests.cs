using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.Emit.OpenCl;
using AE.Kernels.OpenCl;
using Xunit;
using Xunit.Abstractions;

namespace AE.Kernels.Tests
{
    public class OpenClEmitterTests
    {
        private readonly ITestOutputHelper _output;

        public OpenClEmitterTests(ITestOutputHelper output) => _output = output;

        [Theory]
        [InlineData("ae_sgdm.ae", OpenClVectorType.Double)]
        [InlineData("ae_sgdm.ae", OpenClVectorType.Float)]
        [InlineData("ae_adam.ae", OpenClVectorType.Double)]
        [InlineData("ae_adam.ae", OpenClVectorType.Float)]
        [InlineData("ae_sgdm_phase.ae", OpenClVectorType.Double)]
        public void Shipped_laws_emit_programs_that_build(string file, OpenClVectorType type)
        {
            var (unit, source) = Laws.Load(file);
            var program = OpenClEmitter.Emit(unit, new OpenClEmitOptions { VectorType = type, Sources = new Dictionary<string, Dsl.Text.SourceFile> { [source.Path] = source } });
            if (Environment.GetEnvironmentVariable("AE_DUMP_OPENCL") is { Length: > 0 } dir)
                File.WriteAllText(Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + "_" + type + ".cl"), program.Source);
            if (OpenClAvailability.Context(_output) is not { } context) return;
            using var built = context.BuildProgram(program.Source);
            foreach (var launch in program.Launches) using (built.CreateKernel(launch.Kernel)) { }
        }
    }
}
