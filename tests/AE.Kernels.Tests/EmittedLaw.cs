using System;
using System.IO;
using System.Linq;
using System.Reflection;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AE.Kernels.Tests
{
    /// <summary>The C# backend's law for a unit, compiled in memory (as tests/AE.Dsl.Tests does): the reference for float steps.</summary>
    internal static class EmittedLaw
    {
        private static readonly MetadataReference[] References = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(AeMath).Assembly.Location))
            .ToArray();

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Type>> Types = new();

        private static Type Compile(IrUnit unit)
        {
            var options = new CSharpEmitOptions { Namespace = "AE.Kernels.Tests.Emitted" };
            var code = CSharpEmitter.Emit(unit, options);
            return Types.GetOrAdd(code, c => new Lazy<Type>(() =>
            {
                var tree = CSharpSyntaxTree.ParseText(c, new CSharpParseOptions(LanguageVersion.Latest));
                var compilation = CSharpCompilation.Create(unit.Name + Guid.NewGuid().ToString("N"), new[] { tree }, References,
                    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
                using var ms = new MemoryStream();
                var result = compilation.Emit(ms);
                Assert.True(result.Success, string.Join("\n", result.Diagnostics));
                return Assembly.Load(ms.ToArray()).GetType(options.Namespace + "." + unit.Name)!;
            })).Value;
        }

        /// <summary>The C# law with scalar params set (bools as 0/1, ints as whole numbers).</summary>
        public static IOptimizerLaw Create(IrUnit unit, int n, System.Collections.Generic.IReadOnlyDictionary<string, double> parameters, ulong seed = 0)
        {
            var type = Compile(unit);
            var optionsType = type.GetNestedType("Options")!;
            var options = Activator.CreateInstance(optionsType)!;
            foreach (var (name, value) in parameters)
            {
                var property = optionsType.GetProperty(name)!;
                var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                property.SetValue(options, t == typeof(bool) ? value != 0 : t == typeof(long) ? (object)(long)value : value);
            }
            return (IOptimizerLaw)Activator.CreateInstance(type, n, options, seed)!;
        }
    }
}
