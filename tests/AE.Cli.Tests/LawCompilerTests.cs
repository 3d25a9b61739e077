using System;
using AE.Experiments.Compilation;
using Xunit;

namespace AE.Cli.Tests
{
    public class LawCompilerTests
    {
        [Fact]
        public void Code_that_does_not_compile_is_reported_with_roslyn_s_errors()
        {
            var ex = Assert.Throws<LawCompileException>(() => LawCompiler.Compile("namespace N { public class Bad { int X => y; } }", "N.Bad"));
            Assert.Equal("N.Bad", ex.TypeName);
            var error = Assert.Single(ex.Errors);
            Assert.Contains("error CS0103: The name 'y' does not exist in the current context", error, StringComparison.Ordinal);
            Assert.StartsWith("Bad.g.cs(1,", error, StringComparison.Ordinal);
            Assert.Equal("the emitted C# of N.Bad does not compile: " + error, ex.Message);
        }

        [Fact]
        public void The_same_code_is_compiled_once_and_a_missing_type_is_an_error()
        {
            const string code = "namespace N { public sealed class Good { public int X => 1; } }";
            var a = LawCompiler.Compile(code, "N.Good");
            var b = LawCompiler.Compile(code, "N.Good");
            Assert.Same(a, b);
            Assert.Throws<LawCompileException>(() => LawCompiler.Compile(code, "N.Other"));
        }
    }
}
