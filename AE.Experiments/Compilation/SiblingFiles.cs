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
    /// declare: the group of a <c>use</c>, the base of a variant; then what those declarations refer to, and so on. A build
    /// checks all of a project's files together; a command given files of a folder checks them with the files they need,
    /// and no others (an unrelated file's edit changes nothing, an edit of a needed one changes the law's hash).
    /// </summary>
    public static class SiblingFiles
    {
        /// <summary>
        /// A needed file: as checked (its path spelled as the named files spell their folder; every character outside the
        /// needed declarations a space, lines kept, so that positions are the file's and its other laws are not checked), its
        /// bytes (hashed whole), and the spans of the declarations the named files need from it.
        /// </summary>
        public sealed record Sibling(SourceFile Source, string FullPath, byte[] Bytes, IReadOnlyList<TextSpan> Needed);

        /// <summary>A top-level declaration: its name, its span, and the names it refers to as a group or a base.</summary>
        private sealed record Declaration(string Name, TextSpan Span, IReadOnlyList<string> Refers);

        /// <summary>
        /// A file of the folder that may be needed: read, scanned once for the names it seems to declare (a keyword, then a
        /// name), and parsed only when one of those is looked for: a folder of large files costs a scan, not a parse each.
        /// </summary>
        private sealed class Candidate(SourceFile source, string fullPath, byte[] bytes)
        {
            public SourceFile Source { get; } = source;
            public string FullPath { get; } = fullPath;
            public byte[] Bytes { get; } = bytes;
            public HashSet<string> Seeming { get; } = SeemsToDeclare(source.Text);
            public IReadOnlyList<Declaration>? Declarations { get; set; }
            public List<TextSpan> Needed { get; } = new();
        }

        /// <summary>The files the named ones need from their folders, in the order they were found.</summary>
        public static IReadOnlyList<Sibling> Needed(IReadOnlyList<InputFile> inputs, IReadOnlyList<SourceFile> named)
        {
            if (inputs is null) throw new ArgumentNullException(nameof(inputs));
            if (named is null) throw new ArgumentNullException(nameof(named));
            var declared = new HashSet<string>(StringComparer.Ordinal);
            var wanted = new Queue<string>();
            foreach (var d in named.SelectMany(Declarations)) declared.Add(d.Name);
            foreach (var name in named.SelectMany(Declarations).SelectMany(d => d.Refers).Distinct(StringComparer.Ordinal))
                if (!declared.Contains(name)) wanted.Enqueue(name);
            if (wanted.Count == 0) return Array.Empty<Sibling>();

            var candidates = Folder(inputs, named);
            var order = new List<Candidate>();
            while (wanted.Count > 0)
            {
                string name = wanted.Dequeue();
                if (declared.Contains(name)) continue;
                declared.Add(name);   // looked for once: found or not, the check that follows says what is missing
                foreach (var c in candidates.Where(c => c.Seeming.Contains(name)))
                {
                    c.Declarations ??= Declarations(c.Source);
                    foreach (var d in c.Declarations.Where(d => d.Name == name))
                    {
                        if (!order.Contains(c)) order.Add(c);
                        c.Needed.Add(d.Span);
                        foreach (var r in d.Refers) if (!declared.Contains(r)) wanted.Enqueue(r);
                    }
                }
            }
            return order.Select(c => new Sibling(OnlyNeeded(c.Source, c.Needed), c.FullPath, c.Bytes, c.Needed)).ToList();
        }

        /// <summary>
        /// The needed declarations of <paramref name="file"/> alone, at their places: the rest of the text blanked (line breaks
        /// kept), so that the check neither reports nor is blocked by the file's other laws, and its lines and columns are the file's.
        /// </summary>
        private static SourceFile OnlyNeeded(SourceFile file, IReadOnlyList<TextSpan> needed)
        {
            var text = file.Text.ToCharArray();
            for (int i = 0; i < text.Length; i++)
                if (text[i] is not ('\n' or '\r') && !needed.Any(n => i >= n.Start && i < n.End)) text[i] = ' ';
            return new SourceFile(file.Path, new string(text));
        }

        /// <summary>
        /// The other .ae files of the named files' folders, read: an unreadable one, one that is not text and an empty one
        /// (a FIFO or a device reads as empty here, and is never opened) are left out, as is a copy of a file taken already
        /// (the same name and bytes: one folder reached through a link and through its own path).
        /// </summary>
        private static List<Candidate> Folder(IReadOnlyList<InputFile> inputs, IReadOnlyList<SourceFile> named)
        {
            var taken = new HashSet<string>(inputs.Select(i => Path.GetFullPath(i.FullPath)), StringComparer.Ordinal);
            var seen = named.Select(f => (Name: Path.GetFileName(f.Path), f.Text)).ToList();
            var candidates = new List<Candidate>();
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
                    try
                    {
                        // Only a regular file has a length; reading a FIFO would wait for a writer that may never come.
                        if (new FileInfo(path).Length == 0) continue;
                        bytes = SourceBytes.Read(path);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
                    string name = Path.GetFileName(path);
                    var source = SourceFile.FromBytes(shown.Length == 0 ? name : Path.Combine(shown, name), bytes);
                    if (source.NotText is not null || seen.Any(s => s.Name == name && s.Text == source.Text)) continue;
                    seen.Add((name, source.Text));
                    candidates.Add(new Candidate(source, Path.GetFullPath(path), bytes));
                }
            }
            return candidates;
        }

        /// <summary>
        /// The names <paramref name="text"/> writes after <c>group</c>, <c>law</c> or <c>cell</c> with only white space between:
        /// every top-level declaration's (and maybe a few more, in comments), found without parsing.
        /// </summary>
        private static HashSet<string> SeemsToDeclare(string text)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            int i = 0;
            while (i < text.Length)
            {
                if (!Lexer.IsIdentifierStart(text[i]) || (i > 0 && Lexer.IsIdentifierPart(text[i - 1]))) { i++; continue; }
                int end = i;
                while (end < text.Length && Lexer.IsIdentifierPart(text[end])) end++;
                var word = text.AsSpan(i, end - i);
                if (word is "group" or "law" or "cell")
                {
                    int start = SkipBlank(text, end);
                    if (start > end && start < text.Length && Lexer.IsIdentifierStart(text[start]))
                    {
                        int stop = start;
                        while (stop < text.Length && Lexer.IsIdentifierPart(text[stop])) stop++;
                        names.Add(text.Substring(start, stop - start));
                    }
                }
                i = end;
            }
            return names;
        }

        /// <summary>The first position at or after <paramref name="at"/> that is neither white space nor in a comment (<c>// ...</c>, <c>/* ... */</c>).</summary>
        private static int SkipBlank(string text, int at)
        {
            while (at < text.Length)
            {
                if (char.IsWhiteSpace(text[at])) at++;
                else if (text[at] == '/' && at + 1 < text.Length && text[at + 1] == '/')
                {
                    while (at < text.Length && text[at] != '\n') at++;
                }
                else if (text[at] == '/' && at + 1 < text.Length && text[at + 1] == '*')
                {
                    int close = text.IndexOf("*/", at + 2, StringComparison.Ordinal);
                    at = close < 0 ? text.Length : close + 2;
                }
                else break;
            }
            return at;
        }

        /// <summary>The top-level declarations of <paramref name="file"/> and what each refers to as a group or a base.</summary>
        private static IReadOnlyList<Declaration> Declarations(SourceFile file)
        {
            CompilationUnitSyntax tree;
            try
            {
                tree = Parser.Parse(file, new DiagnosticBag(file));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Array.Empty<Declaration>();   // the check that follows reports what is wrong with the file
            }
            return tree.Items.Select(item => new Declaration(item.Name.Text, item.Span, item switch
            {
                UnitSyntax unit => unit.Members.OfType<UseDecl>().Select(u => u.Group.Text).ToList(),
                GroupSyntax group => group.Members.OfType<UseDecl>().Select(u => u.Group.Text).ToList(),
                VariantSyntax variant => new[] { variant.Base.Text },
                _ => Array.Empty<string>(),
            })).ToList();
        }
    }
}
