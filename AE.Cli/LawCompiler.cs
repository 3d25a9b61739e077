using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AE.Cli
{
    /// <summary>Emitted C# that Roslyn rejected (a backend bug: the emitter's output should always compile).</summary>
    internal sealed class LawCompileException : Exception
    {
        public LawCompileException(string typeName, IReadOnlyList<string> errors)
            : base("the emitted C# of " + typeName + " does not compile: " + (errors.Count > 0 ? errors[0] : "no diagnostics"))
        {
            TypeName = typeName;
            Errors = errors;
        }

        public string TypeName { get; }

        /// <summary>Roslyn's errors, as <c>Law.g.cs(12,5): error CS0103: ...</c>.</summary>
        public IReadOnlyList<string> Errors { get; }
    }

    /// <summary>
    /// Compiles emitted C# in memory with Roslyn against the framework and AE.Runtime, as a user's
    /// build with the generator would, and loads it. Each distinct source is compiled once per
    /// process (replaying several cases with one law compiles it once).
    /// </summary>
    internal static class LawCompiler
    {
        private static readonly ConcurrentDictionary<string, Lazy<Assembly>> Cache = new(StringComparer.Ordinal);

        private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

        /// <summary>The type <paramref name="fullName"/> from <paramref name="code"/>, compiled and loaded.</summary>
        /// <exception cref="LawCompileException">the code does not compile</exception>
        public static Type Compile(string code, string fullName)
        {
            if (code is null) throw new ArgumentNullException(nameof(code));
            if (fullName is null) throw new ArgumentNullException(nameof(fullName));
            var lazy = Cache.GetOrAdd(code, c => new Lazy<Assembly>(() => Build(c, fullName)));
            Assembly assembly;
            try
            {
                assembly = lazy.Value;
            }
            catch (LawCompileException)
            {
                Cache.TryRemove(code, out _); // do not remember a failure: the next call reports it afresh
                throw;
            }
            return assembly.GetType(fullName)
                ?? throw new LawCompileException(fullName, new[] { "the compiled code has no type " + fullName });
        }

        private static Assembly Build(string code, string fullName)
        {
            string simpleName = fullName.Substring(fullName.LastIndexOf('.') + 1);
            var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: simpleName + ".g.cs");
            var compilation = CSharpCompilation.Create(
                "AE.Replay." + simpleName + "." + Guid.NewGuid().ToString("N"),
                new[] { tree },
                References.Value,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                    optimizationLevel: OptimizationLevel.Release,
                    nullableContextOptions: NullableContextOptions.Enable,
                    deterministic: true,
                    // Generated laws are unsafe classes (their SIMD passes hold pinned pointers), as a user's build allows with AllowUnsafeBlocks.
                    allowUnsafe: true));
            using var stream = new MemoryStream();
            var result = compilation.Emit(stream);
            if (!result.Success)
            {
                var errors = result.Diagnostics
                    .Where(d => d.Severity == DiagnosticSeverity.Error)
                    .Select(d => d.ToString())
                    .ToList();
                throw new LawCompileException(fullName, errors);
            }
            return Assembly.Load(stream.ToArray());
        }

        /// <summary>The framework's assemblies the host runs on (System.*, mscorlib, netstandard) and AE.Runtime.</summary>
        private static MetadataReference[] LoadReferences()
        {
            IEnumerable<string> framework;
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa && tpa.Length > 0)
                framework = tpa.Split(Path.PathSeparator);
            else
                framework = Directory.EnumerateFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll");

            string runtime = typeof(AE.Runtime.AeMath).Assembly.Location;
            if (runtime.Length == 0) throw new InvalidOperationException("AE.Runtime.dll has no file location (a single-file build?); replay needs it to compile laws");
            return framework
                .Where(p => Path.GetFileName(p) is string f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "mscorlib.dll" or "netstandard.dll"))
                .Where(File.Exists)
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .Append(MetadataReference.CreateFromFile(runtime))
                .ToArray();
        }
    }
}
