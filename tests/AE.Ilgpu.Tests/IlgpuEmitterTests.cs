using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.Emit.Ilgpu;
using AE.Experiments.Compilation;
using AE.Kernels.Tests;
using Xunit;

namespace AE.Ilgpu.Tests
{
    public class IlgpuEmitterTests
    {
        private static IlgpuLawProgram Emit(string file, bool isFloat)
        {
            var (unit, source) = Laws.Load(file);
            var program = IlgpuEmitter.Emit(unit, new IlgpuEmitOptions { Float = isFloat, Sources = new Dictionary<string, Dsl.Text.SourceFile> { [source.Path] = source } });
            if (Environment.GetEnvironmentVariable("AE_DUMP_ILGPU") is { Length: > 0 } dir)
                File.WriteAllText(Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + (isFloat ? "_f32" : "_f64") + ".cs"), program.Source);
            return program;
        }

        [Theory]
        [InlineData("ae_sgdm.ae", false)]
        [InlineData("ae_sgdm.ae", true)]
        [InlineData("ae_adam.ae", false)]
        [InlineData("ae_adam.ae", true)]
        [InlineData("ae_sgdm_phase.ae", false)]
        public void Shipped_laws_emit_kernels_that_compile_without_warnings(string file, bool isFloat)
        {
            var program = Emit(file, isFloat);
            var compiled = LawCompiler.CompileCode(program.Source, program.TypeName.Substring(program.TypeName.LastIndexOf('.') + 1), new[] { typeof(ILGPU.ArrayView<>).Assembly });
            Assert.Empty(compiled.Warnings);
            var type = compiled.Assembly.GetType(program.TypeName)!;
            foreach (var launch in program.Launches) Assert.NotNull(type.GetMethod(launch.Kernel));
        }
    }
}
