using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AE.Experiments.Compilation
{
    /// <summary>Emitted C# that Roslyn rejected (a backend bug: the emitter's output should always compile).</summary>
    public sealed class LawCompileException : Exception
    {
        public LawCompileException(string typeName, IReadOnlyList<string> errors)
            : this(typeName, errors, Array.Empty<string>())
        {
        }

        public LawCompileException(string typeName, IReadOnlyList<string> errors, IReadOnlyList<string> warnings)
            : base("the emitted C# of " + typeName + " does not compile: " + (errors.Count > 0 ? errors[0] : "no diagnostics"))
        {
            TypeName = typeName;
            Errors = errors;
            Warnings = warnings;
        }

        public string TypeName { get; }

        /// <summary>Roslyn's errors, as <c>Law.g.cs(12,5): error CS0103: ...</c>.</summary>
        public IReadOnlyList<string> Errors { get; }

        /// <summary>Roslyn's warnings of the same compilation, in the same form.</summary>
        public IReadOnlyList<string> Warnings { get; }
    }

    /// <summary>Emitted C# compiled and loaded: the assembly, and the warnings Roslyn gave on the way.</summary>
    public sealed class CompiledCode
    {
        internal CompiledCode(Assembly assembly, IReadOnlyList<string> warnings)
        {
            Assembly = assembly;
            Warnings = warnings;
        }

        public Assembly Assembly { get; }

        /// <summary>Roslyn's warnings, as <c>Law.g.cs(12,5): warning CS0168: ...</c> (generated code should have none).</summary>
        public IReadOnlyList<string> Warnings { get; }
    }

    /// <summary>
    /// Compiles emitted C# in memory with Roslyn against the framework and AE.Runtime (and, for code that
    /// needs more, the assemblies the caller names: ILGPU for the ILGPU backend's kernels), as a user's
    /// build with the generator would, and loads it. Each distinct source is compiled once per
    /// process (replaying several cases with one law compiles it once); a failure is not remembered.
    /// </summary>
    public static class LawCompiler
    {
        private static readonly ConcurrentDictionary<(string Name, string Code, string References), Lazy<CompiledCode>> Cache = new();

        private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

        /// <summary>
        /// The leading part of the namespace <paramref name="ns"/> that names a public type of the assemblies emitted code is
        /// compiled against (<c>System.Math</c> in <c>System.Math.Laws</c>), or null: code in such a namespace would find the
        /// namespace where it means the type, or the type where it means the namespace.
        /// </summary>
        public static string? TypeNamedBy(string ns)
        {
            if (ns is null) throw new ArgumentNullException(nameof(ns));
            INamespaceSymbol? current = CSharpCompilation.Create("NamespaceProbe", references: References.Value).GlobalNamespace;
            var parts = ns.Split('.');
            for (int i = 0; i < parts.Length && current is not null; i++)
            {
                if (current.GetTypeMembers(parts[i]).Any(t => t.DeclaredAccessibility == Accessibility.Public)) return string.Join(".", parts.Take(i + 1));
                current = current.GetNamespaceMembers().FirstOrDefault(n => n.Name == parts[i]);
            }
            return null;
        }

        /// <summary>The type <paramref name="fullName"/> from <paramref name="code"/>, compiled and loaded.</summary>
        /// <exception cref="LawCompileException">the code does not compile, or has no such type</exception>
        public static Type Compile(string code, string fullName) => Compile(code, fullName, Array.Empty<Assembly>());

        /// <summary>The type <paramref name="fullName"/> from <paramref name="code"/>, compiled against <paramref name="references"/> too, and loaded.</summary>
        /// <exception cref="LawCompileException">the code does not compile, or has no such type</exception>
        public static Type Compile(string code, string fullName, IReadOnlyList<Assembly> references)
        {
            if (code is null) throw new ArgumentNullException(nameof(code));
            if (fullName is null) throw new ArgumentNullException(nameof(fullName));
            if (references is null) throw new ArgumentNullException(nameof(references));
            string simpleName = fullName.Substring(fullName.LastIndexOf('.') + 1);
            var compiled = Compile(code, simpleName, fullName, references);
            return compiled.Assembly.GetType(fullName)
                ?? throw new LawCompileException(fullName, new[] { "the compiled code has no type " + fullName });
        }

        /// <summary>
        /// <paramref name="code"/> compiled and loaded, its diagnostics placed in <c><paramref name="name"/>.g.cs</c>;
        /// with Roslyn's warnings, for callers that hold generated code to compiling cleanly.
        /// </summary>
        /// <exception cref="LawCompileException">the code does not compile</exception>
        public static CompiledCode CompileCode(string code, string name) => CompileCode(code, name, Array.Empty<Assembly>());

        /// <summary><see cref="CompileCode(string, string)"/> against <paramref name="references"/> too.</summary>
        /// <exception cref="LawCompileException">the code does not compile</exception>
        public static CompiledCode CompileCode(string code, string name, IReadOnlyList<Assembly> references)
        {
            if (code is null) throw new ArgumentNullException(nameof(code));
            if (name is null) throw new ArgumentNullException(nameof(name));
            if (references is null) throw new ArgumentNullException(nameof(references));
            return Compile(code, name, name, references);
        }

        private static CompiledCode Compile(string code, string name, string typeName, IReadOnlyList<Assembly> references)
        {
            var key = (name, code, string.Join("|", references.Select(a => a.FullName)));
            var lazy = Cache.GetOrAdd(key, k => new Lazy<CompiledCode>(() => Build(k.Code, k.Name, typeName, references)));
            try
            {
                return lazy.Value;
            }
            catch (LawCompileException)
            {
                Cache.TryRemove(key, out _); // do not remember a failure: the next call reports it afresh
                throw;
            }
        }

        private static CompiledCode Build(string code, string name, string typeName, IReadOnlyList<Assembly> extra)
        {
            var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: name + ".g.cs");
            var compilation = CSharpCompilation.Create(
                // An assembly's name has a short limit in metadata (about 255 bytes): a law's name may be 255 letters of three bytes each.
                "AE.Replay." + (name.Length <= 64 ? name : name.Substring(0, 64)) + "." + Guid.NewGuid().ToString("N"),
                new[] { tree },
                References.Value.Concat(extra.Select(Reference)),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                    optimizationLevel: OptimizationLevel.Release,
                    nullableContextOptions: NullableContextOptions.Enable,
                    deterministic: true,
                    // Generated laws are unsafe classes (their SIMD passes hold pinned pointers), as a user's build allows with AllowUnsafeBlocks.
                    allowUnsafe: true));
            using var stream = new MemoryStream();
            var result = compilation.Emit(stream);
            var warnings = result.Diagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Warning)
                .Select(d => d.ToString())
                .ToList();
            if (!result.Success)
            {
                var errors = result.Diagnostics
                    .Where(d => d.Severity == DiagnosticSeverity.Error)
                    .Select(d => d.ToString())
                    .ToList();
                throw new LawCompileException(typeName, errors, warnings);
            }
            return new CompiledCode(Assembly.Load(stream.ToArray()), warnings);
        }

        private static MetadataReference Reference(Assembly assembly) =>
            assembly.Location.Length > 0
                ? MetadataReference.CreateFromFile(assembly.Location)
                : throw new InvalidOperationException(assembly.GetName().Name + " has no file location (a single-file build?); the law's code needs it to compile");

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
