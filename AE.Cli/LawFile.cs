using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Dsl.Text;

namespace AE.Cli
{
    /// <summary>
    /// Something <c>ae emit</c> and <c>ae replay</c> can turn into a C# type: a law or cell, or a
    /// variant (its base unit with rules removed at compile time).
    /// </summary>
    /// <param name="Name">the type's name: the unit's or the variant's</param>
    /// <param name="Description"><c>law</c>, <c>cell</c>, or <c>law variant of AeSgdm without AE5</c></param>
    /// <param name="Unit">the unit whose code is emitted (a variant's base)</param>
    /// <param name="Ablate">rules removed at compile time (a variant's <c>without</c> list)</param>
    /// <param name="Position">where it is declared in the file, for file order</param>
    internal sealed record LawTarget(string Name, string Description, IrUnit Unit, IReadOnlyList<string> Ablate, int Position, bool Lagged = false)
    {
        public bool IsOptimizerShape => CSharpEmitter.IsOptimizerShape(Unit);

        public string Emit(string @namespace, SourceFile source) => CSharpEmitter.Emit(Unit, new CSharpEmitOptions
        {
            Namespace = @namespace,
            TypeName = Name,
            Ablate = Ablate,
            Sources = new Dictionary<string, SourceFile> { [source.Path] = source },
        });
    }

    /// <summary>One .ae file read and checked on its own, with its laws, cells and variants in file order.</summary>
    internal sealed class LawFile
    {
        private LawFile(InputFile input, SourceFile source, CheckResult result)
        {
            Input = input;
            Source = source;
            Result = result;
            Targets = result.HasErrors || result.Program is null ? Array.Empty<LawTarget>() : TargetsOf(result.Program);
        }

        public InputFile Input { get; }

        public string DisplayPath => Input.DisplayPath;

        public SourceFile Source { get; }

        public CheckResult Result { get; }

        /// <summary>Every law, cell and variant, in the order the file declares them (empty when the file has errors).</summary>
        public IReadOnlyList<LawTarget> Targets { get; }

        /// <summary>Reads and checks the one file <paramref name="argument"/> names; a missing file is a <see cref="CliException"/>.</summary>
        public static LawFile Load(string argument, string currentDirectory, string command)
        {
            var inputs = Globbing.Expand(new[] { argument }, currentDirectory);
            if (inputs.Count != 1)
                throw CliException.BadUsage("'" + argument + "' matches " + inputs.Count + " files; 'ae " + command + "' takes one .ae file", command);
            var input = inputs[0];
            SourceFile source;
            try
            {
                source = SourceFile.FromBytes(input.DisplayPath, File.ReadAllBytes(input.FullPath));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                throw new CliException("cannot read '" + input.DisplayPath + "': " + ex.Message, ex);
            }
            var result = AeCompiler.Check(new[] { source });
            if (result.Diagnostics.Any(d => d.Id == "AE0016")) result = WithSiblingGroups(input, source) ?? result;
            return new LawFile(input, source, result);
        }

        /// <summary>
        /// A 'use' of a group no file declares (AE0016) when the file is checked alone: check it again
        /// with the other .ae files of its folder, as a build checks all of a project's files together,
        /// and keep only this file's diagnostics and laws. Null when the folder has nothing to add.
        /// </summary>
        private static CheckResult? WithSiblingGroups(InputFile input, SourceFile source)
        {
            var folder = Path.GetDirectoryName(input.FullPath);
            if (folder is null) return null;
            var siblings = new List<SourceFile> { source };
            foreach (var path in Directory.GetFiles(folder, "*.ae").OrderBy(p => p, StringComparer.Ordinal))
            {
                if (string.Equals(Path.GetFullPath(path), Path.GetFullPath(input.FullPath), StringComparison.Ordinal)) continue;
                try { siblings.Add(SourceFile.FromBytes(path, File.ReadAllBytes(path))); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            }
            if (siblings.Count == 1) return null;
            var together = AeCompiler.Check(siblings);
            var mine = together.Diagnostics.Where(d => d.Path == source.Path).ToList();
            if (mine.Any(d => d.Severity == Dsl.Diagnostics.Severity.Error)) return new CheckResult(mine, null);
            var program = together.Program is null ? null : new IrProgram(
                EqArray.From(together.Program.Units.Where(u => u.Origin.Path == source.Path)),
                EqArray.From(together.Program.Variants.Where(v => v.Origin.Path == source.Path)));
            return new CheckResult(mine, program);
        }

        /// <summary>The target named <paramref name="name"/>; a <see cref="CliException"/> listing the valid names otherwise.</summary>
        public LawTarget Find(string name, Func<LawTarget, bool>? eligible = null, string? what = null)
        {
            var candidates = Targets.Where(t => eligible is null || eligible(t)).ToList();
            var found = candidates.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
            if (found is not null) return found;
            var other = Targets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
            string valid = candidates.Count == 0 ? "none" : string.Join(", ", candidates.Select(t => t.Name));
            if (other is not null)
                throw new CliException("'" + name + "' in " + DisplayPath + " is not " + what + "; valid names: " + valid);
            throw new CliException("no law '" + name + "' in " + DisplayPath + "; valid names: " + valid);
        }

        private static IReadOnlyList<LawTarget> TargetsOf(IrProgram program)
        {
            var targets = new List<LawTarget>();
            foreach (var unit in program.Units)
                targets.Add(new LawTarget(unit.Name, unit.Kind == Dsl.Syntax.UnitKind.Cell ? "cell" : "law", unit, Array.Empty<string>(), unit.Origin.Span.Start));
            foreach (var variant in program.Variants)
            {
                var baseUnit = program.Units.FirstOrDefault(u => u.Name == variant.Base);
                if (baseUnit is null) continue; // the binder reports a variant of an unknown or broken unit
                string kind = baseUnit.Kind == Dsl.Syntax.UnitKind.Cell ? "cell" : "law";
                string what = (variant.Without.Count > 0 ? " without " + string.Join(", ", variant.Without) : "") + (variant.Lagged ? ", lagged" : "");
                targets.Add(new LawTarget(variant.Name, kind + " variant of " + variant.Base + what,
                    baseUnit, variant.Without.ToArray(), variant.Origin.Span.Start, variant.Lagged));
            }
            return targets.OrderBy(t => t.Position).ToList();
        }
    }
}
