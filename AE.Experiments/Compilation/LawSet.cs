using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Dsl.Text;

namespace AE.Experiments.Compilation
{
    /// <summary>
    /// A set of .ae files, read and checked together (as a build checks a project's files: a variant's
    /// base and a used group may live in any of them), with their laws, cells and variants in the order
    /// given, then in file order; from it, a law chosen by name or shape and compiled in memory.
    /// Every problem with the files or a name is a <see cref="LawInputException"/> with a one-line message.
    /// </summary>
    public sealed class LawSet
    {
        private readonly string _sha256;

        private LawSet(IReadOnlyList<InputFile> inputs, IReadOnlyList<SourceFile> sources, IReadOnlyList<SourceFile> siblings, string sha256, CheckResult result)
        {
            Inputs = inputs;
            _sha256 = sha256;
            Sources = sources.Concat(siblings).GroupBy(s => s.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            Siblings = siblings.Select(s => s.Path).ToList();
            Result = result;
            Targets = result.HasErrors || result.Program is null ? Array.Empty<EmitTarget>() : TargetsOf(result.Program, sources);
        }

        /// <summary>
        /// The other files of the named files' folders that were checked with them because they declare a group or a base the
        /// named files use (<see cref="SiblingFiles"/>), by display path; their bytes are part of <see cref="Sha256"/>.
        /// </summary>
        public IReadOnlyList<string> Siblings { get; }

        public IReadOnlyList<InputFile> Inputs { get; }

        /// <summary>The files as the user named them, joined with ", ".</summary>
        public string DisplayPath => string.Join(", ", Inputs.Select(i => i.DisplayPath));

        /// <summary>Every file read (for #line directives), by display path.</summary>
        public IReadOnlyDictionary<string, SourceFile> Sources { get; }

        public CheckResult Result { get; }

        /// <summary>Every law, cell and variant of the named files (empty when they have errors).</summary>
        public IReadOnlyList<EmitTarget> Targets { get; }

        /// <summary>The description of the laws <see cref="SelectOptimizer"/> picks from.</summary>
        public const string OptimizerShape = "a law of the optimizer shape (input loss: real; input grad: real[n]; state theta: real[n])";

        /// <summary>
        /// Reads and checks the files the arguments name (paths or globs, relative to <paramref name="currentDirectory"/>;
        /// see <see cref="Globbing"/>); a missing or unreadable file is a <see cref="LawInputException"/>.
        /// </summary>
        public static LawSet Load(IReadOnlyList<string> arguments, string currentDirectory)
        {
            var inputs = Globbing.Expand(arguments, currentDirectory);
            var bytes = inputs.Select(Read).ToList();
            var sources = inputs.Select((input, i) => SourceFile.FromBytes(input.DisplayPath, bytes[i])).ToList();
            // A group or a base the named files use and none declares comes from their folders, as a build would find it; the
            // files it comes from are checked with them, shown in the diagnostics and hashed with them.
            var siblings = SiblingFiles.Needed(inputs, sources);
            var result = AeCompiler.Check(sources.Concat(siblings.Select(s => s.Source)).ToList());
            // The files in one order whatever order they were named or found in (by full path): the same files, the same hash.
            var hashed = inputs.Select((input, i) => (Path: Path.GetFullPath(input.FullPath), Bytes: bytes[i])).Concat(siblings.Select(s => (Path: s.FullPath, s.Bytes)))
                .OrderBy(f => f.Path, StringComparer.Ordinal).Select(f => f.Bytes).ToList();
            return new LawSet(inputs, sources, siblings.Select(s => s.Source).ToList(), HashOf(hashed), result);
        }

        private static byte[] Read(InputFile input)
        {
            try
            {
                return SourceBytes.Read(input.FullPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                throw new LawInputException("cannot read '" + input.DisplayPath + "': " + ex.Message, ex);
            }
        }

        /// <summary>
        /// SHA-256 of the files' bytes, the named ones' and the <see cref="Siblings"/>', concatenated in the order of their
        /// full paths (for one file, the file's own hash): what the run store records as the law's source, and a checkpoint
        /// as its law's. Taken from the bytes that were checked,
        /// so a file edited since then cannot be stored under the new text's hash.
        /// </summary>
        public string Sha256() => _sha256;

        private static string HashOf(IReadOnlyList<byte[]> files)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var bytes in files) sha.AppendData(bytes);
            return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
        }

        /// <summary>The target named <paramref name="name"/>; a <see cref="LawInputException"/> listing the valid names otherwise.</summary>
        public EmitTarget Find(string name, Func<EmitTarget, bool>? eligible = null, string? what = null)
        {
            var candidates = Targets.Where(t => eligible is null || eligible(t)).ToList();
            var found = candidates.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
            if (found is not null) return found;
            var other = Targets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
            string valid = candidates.Count == 0 ? "none" : string.Join(", ", candidates.Select(t => t.Name));
            if (other is not null)
                throw new LawInputException("'" + name + "' in " + DisplayPath + " is not " + what + "; valid names: " + valid);
            // 'a cell' asks for a cell: say "no cell"; any other ask is for a law or a variant.
            string noun = what is "a cell" ? "cell" : "law";
            throw new LawInputException("no " + noun + " '" + name + "' in " + DisplayPath + "; valid names: " + valid);
        }

        /// <summary>The emitted C# of <paramref name="target"/> with #line directives into these files.</summary>
        public string Emit(EmitTarget target, string @namespace) => target.EmitCSharp(@namespace, Sources);

        /// <summary>
        /// The law named <paramref name="name"/>, which must be of the optimizer shape, or without a name the
        /// first law of that shape. A <see cref="LawCheckException"/> when the files have errors (its message is
        /// <see cref="ErrorSummary"/> of <paramref name="need"/>); a <see cref="LawInputException"/> for an unknown
        /// name, a law of another shape, or no such law (that message ends with <paramref name="purpose"/> when given).
        /// </summary>
        public EmitTarget SelectOptimizer(string? name, string need = "a law that checks cleanly is needed", string? purpose = null)
        {
            if (Result.HasErrors) throw new LawCheckException(ErrorSummary(need), Result.Diagnostics.Where(d => d.Severity == Dsl.Diagnostics.Severity.Error).ToList());
            if (name is not null) return Find(name, t => t.IsOptimizerShape, OptimizerShape);
            return Targets.FirstOrDefault(t => t.IsOptimizerShape)
                ?? throw new LawInputException(DisplayPath + " has no law of the optimizer shape (input loss: real; input grad: real[n]; state theta: real[n])"
                    + (purpose is null ? "" : " " + purpose));
        }

        /// <summary>
        /// Emits <paramref name="target"/> into <paramref name="namespace"/> and compiles it in memory (once per
        /// process for the same code). A target the C# backend cannot emit is a <see cref="LawInputException"/>;
        /// emitted code that does not compile (a backend bug) a <see cref="LawCompileException"/>.
        /// </summary>
        public CompiledLaw Compile(EmitTarget target, string @namespace = CompiledLaw.DefaultNamespace)
        {
            if (target is null) throw new ArgumentNullException(nameof(target));
            string code;
            try
            {
                code = Emit(target, @namespace);
            }
            catch (EmitNotSupportedException ex)
            {
                throw new LawInputException("cannot emit '" + target.Name + "': " + ex.Message, ex);
            }
            // The type's name, as reflection sees it: a law named like a member or like what C# takes for a type has a suffix (StepLaw, varLaw).
            var type = LawCompiler.Compile(code, @namespace + "." + AE.Dsl.Emit.Names.LawTypeName(target.Name).TrimStart('@'));
            return new CompiledLaw(type, target, DisplayPath);
        }

        /// <summary>A one-line complaint when the files have errors (printed after them), for commands that need a clean law.</summary>
        public string ErrorSummary(string need)
            => DisplayPath + " " + (Inputs.Count == 1 ? "has " : "have ") + Result.ErrorCount + " error" + (Result.ErrorCount == 1 ? "" : "s")
               + "; " + need + " ('ae check " + string.Join(" ", Inputs.Select(i => i.DisplayPath)) + "')";

        /// <summary>The laws, cells and variants the named files declare (a sibling's are not the user's to run), in file, then position order.</summary>
        private static IReadOnlyList<EmitTarget> TargetsOf(IrProgram program, IReadOnlyList<SourceFile> sources)
        {
            var order = sources.Select((s, i) => (s.Path, i)).GroupBy(x => x.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
            return EmitTarget.Of(program)
                .Where(t => order.ContainsKey(t.Origin.Path))
                .OrderBy(t => order[t.Origin.Path])
                .ThenBy(t => t.Origin.Span.Start)
                .ToList();
        }
    }
}
