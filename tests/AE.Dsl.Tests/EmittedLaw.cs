using System;
using System.IO;
using System.Linq;
using System.Reflection;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>Compiles emitted C# in memory, as a user's build would, and loads it.</summary>
    internal static class EmittedLaw
    {
        internal static readonly MetadataReference[] References = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(AE.Runtime.AeMath).Assembly.Location))
            .ToArray();

        public static Assembly Compile(string code, string name = "Emitted")
        {
            var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: name + ".g.cs");
            var compilation = CSharpCompilation.Create(name + Guid.NewGuid().ToString("N"), new[] { tree }, References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, warningLevel: 9999));
            using var ms = new MemoryStream();
            var result = compilation.Emit(ms);
            var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(result.Success && problems.Count == 0, "emitted code does not compile cleanly:\n" + string.Join("\n", problems) + "\n" + Numbered(code));
            return Assembly.Load(ms.ToArray());
        }

        private static string Numbered(string code) => string.Join("\n", code.Split('\n').Select((l, i) => $"{i + 1,5}: {l}"));

        public static object Create(IrUnit unit, CSharpEmitOptions options, params object?[] args)
        {
            var code = CSharpEmitter.Emit(unit, options);
            var asm = Compile(code, unit.Name);
            var type = asm.GetType(options.Namespace + "." + (options.TypeName ?? unit.Name))!;
            return Activator.CreateInstance(type, args)!;
        }
    }
}
