using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.Syntax;
using AE.Dsl.Text;

namespace AE.Experiments.Compilation
{
    /// <summary>
    /// The other <c>.ae</c> files of the named files' folders that declare what the named files refer to and do not
    /// declare: the group of a <c>use</c>, the base of a variant; then what those files refer to, and so on. A build checks
    /// all of a project's files together; a command given one file of a folder checks it with the files it needs, and
    /// no others (an unrelated file's edit changes nothing, an edit of a needed one changes the law's hash).
    /// </summary>
    public static class SiblingFiles
    {
        /// <summary>A needed file: as checked (its path as the named files' display paths spell their folder) and its bytes.</summary>
        public sealed record Sibling(SourceFile Source, byte[] Bytes);

        /// <summary>The files the named ones need from their folders, in the order they were found (ordinal path order per round).</summary>
        public static IReadOnlyList<Sibling> Needed(IReadOnlyList<InputFile> inputs, IReadOnlyList<SourceFile> named)
        {
            if (inputs is null) throw new ArgumentNullException(nameof(inputs));
            if (named is null) throw new ArgumentNullException(nameof(named));
            var declared = new HashSet<string>(StringComparer.Ordinal);
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in named) Collect(file, declared, referenced);
            if (referenced.All(declared.Contains)) return Array.Empty<Sibling>();

            var taken = new HashSet<string>(inputs.Select(i => Path.GetFullPath(i.FullPath)), StringComparer.Ordinal);
            var candidates = new List<(Sibling File, HashSet<string> Declares, HashSet<string> Refers)>();
            foreach (var folder in inputs.GroupBy(i => Path.GetDirectoryName(Path.GetFullPath(i.FullPath)) ?? "", StringComparer.Ordinal))
            {
                if (folder.Key.Length == 0) continue;
                // Spelled as the user spelled the folder: "iso3/grp.ae" beside "iso3/law.ae".
                string shown = Path.GetDirectoryName(folder.First().DisplayPath) ?? "";
                string[] paths;
                try { paths = Directory.GetFiles(folder.Key, "*.ae"); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
                foreach (var path in paths.OrderBy(p => p, StringComparer.Ordinal))
                {
                    if (!taken.Add(Path.GetFullPath(path))) continue;
                    byte[] bytes;
                    try { bytes = SourceBytes.Read(path); }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
                    var source = SourceFile.FromBytes(shown.Length == 0 ? Path.GetFileName(path) : Path.Combine(shown, Path.GetFileName(path)), bytes);
                    if (source.NotText is not null) continue;
                    var declares = new HashSet<string>(StringComparer.Ordinal);
                    var refers = new HashSet<string>(StringComparer.Ordinal);
                    Collect(source, declares, refers);
                    candidates.Add((new Sibling(source, bytes), declares, refers));
                }
            }

            var needed = new List<Sibling>();
            bool added = true;
            while (added)
            {
                added = false;
                var missing = referenced.Where(n => !declared.Contains(n)).ToHashSet(StringComparer.Ordinal);
                foreach (var candidate in candidates.Where(c => !needed.Contains(c.File) && c.Declares.Overlaps(missing)).ToList())
                {
                    needed.Add(candidate.File);
                    declared.UnionWith(candidate.Declares);
                    referenced.UnionWith(candidate.Refers);
                    added = true;
                }
            }
            return needed;
        }

        /// <summary>The names <paramref name="file"/> declares at its top level, and those it refers to as a group or a base.</summary>
        private static void Collect(SourceFile file, HashSet<string> declares, HashSet<string> refers)
        {
            CompilationUnitSyntax tree;
            try
            {
                tree = Parser.Parse(file, new DiagnosticBag(file));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return;   // the check that follows reports what is wrong with the file
            }
            foreach (var item in tree.Items)
            {
                declares.Add(item.Name.Text);
                switch (item)
                {
                    case UnitSyntax unit:
                        refers.UnionWith(unit.Members.OfType<UseDecl>().Select(u => u.Group.Text));
                        break;
                    case GroupSyntax group:
                        refers.UnionWith(group.Members.OfType<UseDecl>().Select(u => u.Group.Text));
                        break;
                    case VariantSyntax variant:
                        refers.Add(variant.Base.Text);
                        break;
                }
            }
        }
    }
}
