using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Enumeration;
using System.Linq;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;

namespace AE.Experiments.Compilation
{
    /// <summary>A file found from an argument (a path or a glob): the path to show the user and the path to open.</summary>
    /// <param name="DisplayPath">The path as the user spelled it (relative stays relative), glob parts joined with '/'.</param>
    /// <param name="FullPath">The absolute path.</param>
    public sealed record InputFile(string DisplayPath, string FullPath);

    /// <summary>
    /// Expands file arguments and globs with <see cref="Matcher"/>. '*' matches any characters within one path
    /// segment, '?' one character, and a segment that is exactly '**' any number of directories (zero included).
    /// Symbolic links to directories are not followed, so link cycles cannot loop.
    /// </summary>
    public static class Globbing
    {
        private static readonly char[] Wildcards = { '*', '?' };

        private static readonly StringComparison PathComparison =
            OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        public static bool IsGlob(string argument) => argument.IndexOfAny(Wildcards) >= 0;

        /// <summary>
        /// Every file named by the arguments, sorted by display path (ordinal) with each file once.
        /// Throws <see cref="LawInputException"/> for a literal path that is missing or a glob that matches nothing.
        /// </summary>
        public static IReadOnlyList<InputFile> Expand(IEnumerable<string> arguments, string currentDirectory)
        {
            var byFullPath = new Dictionary<string, InputFile>(StringComparer.FromComparison(PathComparison));
            foreach (var argument in arguments)
            {
                var matches = IsGlob(argument) ? ExpandGlob(argument, currentDirectory) : new[] { Literal(argument, currentDirectory) };
                if (matches.Count == 0) throw new LawInputException("no file matches '" + argument + "'" + WhyNoMatch(argument, currentDirectory));
                foreach (var file in matches) byFullPath.TryAdd(file.FullPath, file);
            }
            return byFullPath.Values.OrderBy(f => f.DisplayPath, StringComparer.Ordinal).ToList();
        }

        /// <summary>Where the folder a glob starts from is missing or cannot be listed, that (" (the folder 'x' cannot be read: ...)"); else nothing.</summary>
        private static string WhyNoMatch(string pattern, string currentDirectory)
        {
            string prefix = GlobPrefix(pattern);
            if (prefix.Length == 0) return "";
            string folder = Path.GetFullPath(prefix, currentDirectory);
            if (!Directory.Exists(folder)) return File.Exists(folder.TrimEnd(Separators)) ? " ('" + prefix.TrimEnd(Separators) + "' is a file, not a folder)" : " (there is no folder '" + prefix.TrimEnd(Separators) + "')";
            try
            {
                using var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator();
                entries.MoveNext();
                return "";
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                return " (the folder '" + prefix.TrimEnd(Separators) + "' cannot be read: " + ex.Message + ")";
            }
        }

        /// <summary>The literal folder a glob starts from, as written ("laws/", "/tmp/x/", "").</summary>
        private static string GlobPrefix(string pattern) =>
            pattern.Substring(0, pattern.LastIndexOfAny(Separators, Math.Max(pattern.IndexOfAny(Wildcards) - 1, 0)) + 1);

        private static InputFile Literal(string argument, string currentDirectory)
        {
            string full = Path.GetFullPath(argument, currentDirectory);
            if (File.Exists(full)) return new InputFile(argument, full);
            if (Directory.Exists(full))
                throw new LawInputException("'" + argument + "' is a folder; name files or a glob such as '" + argument.TrimEnd('/', '\\') + "/**/*.ae'");
            throw new LawInputException("file not found: '" + argument + "'");
        }

        /// <summary>Matches one glob. The literal directory prefix is kept exactly as written.</summary>
        public static IReadOnlyList<InputFile> ExpandGlob(string pattern, string currentDirectory)
        {
            // The Matcher takes patterns relative to a directory: split off the literal directory prefix
            // ("laws/", "/tmp/x/", "") before the first wildcard, and show matches below it as written.
            string prefix = GlobPrefix(pattern);
            string relative = pattern.Substring(prefix.Length);
            string baseDirectory = prefix.Length == 0 ? currentDirectory : Path.GetFullPath(prefix, currentDirectory);
            if (relative.Trim(Separators).Length == 0 || !Directory.Exists(baseDirectory)) return Array.Empty<InputFile>();

            // The Matcher knows '*' and '**' but not '?': it looks for '*' in its place, and each
            // candidate is then held to one character per '?' (a no-op for a glob without '?').
            var matcher = new Matcher(PathComparison);
            matcher.AddInclude(relative.Replace('?', '*'));
            var result = matcher.Execute(new LinklessDirectory(new DirectoryInfo(baseDirectory)));
            var segments = relative.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            return result.Files
                .Where(m => !relative.Contains('?', StringComparison.Ordinal) || Fits(segments, 0, m.Path.Split('/'), 0))
                .Select(m => new InputFile(prefix + m.Path, Path.GetFullPath(m.Path, baseDirectory)))
                .ToList();
        }

        /// <summary>Whether <paramref name="path"/>[q..] fits <paramref name="pattern"/>[p..], with '?' as one character and '**' as any number of segments.</summary>
        private static bool Fits(string[] pattern, int p, string[] path, int q)
        {
            if (p == pattern.Length) return q == path.Length;
            if (pattern[p] == "**") return Enumerable.Range(q, path.Length - q + 1).Any(k => Fits(pattern, p + 1, path, k));
            return q < path.Length
                && FileSystemName.MatchesSimpleExpression(pattern[p], path[q], PathComparison == StringComparison.OrdinalIgnoreCase)
                && Fits(pattern, p + 1, path, q + 1);
        }

        private static readonly char[] Separators = Path.DirectorySeparatorChar == Path.AltDirectorySeparatorChar
            ? new[] { Path.DirectorySeparatorChar }
            : new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar };

        /// <summary>
        /// A directory as the <see cref="Matcher"/> walks it, without the symbolic links to directories
        /// (a link to a parent would make '**' loop) and without the folders it may not read.
        /// </summary>
        private sealed class LinklessDirectory : DirectoryInfoBase
        {
            private static readonly EnumerationOptions ListOptions = new()
            {
                RecurseSubdirectories = false,
                IgnoreInaccessible = true,
                AttributesToSkip = 0,
                MatchType = MatchType.Simple,
            };

            private readonly DirectoryInfo _directory;

            public LinklessDirectory(DirectoryInfo directory) => _directory = directory;

            public override string Name => _directory.Name;

            public override string FullName => _directory.FullName;

            public override DirectoryInfoBase? ParentDirectory => _directory.Parent is { } parent ? new LinklessDirectory(parent) : null;

            public override IEnumerable<FileSystemInfoBase> EnumerateFileSystemInfos()
            {
                foreach (var entry in _directory.EnumerateFileSystemInfos("*", ListOptions))
                {
                    if (entry is DirectoryInfo sub)
                    {
                        if (sub.LinkTarget is null) yield return new LinklessDirectory(sub);
                    }
                    else if (entry is FileInfo file)
                    {
                        yield return new FileInfoWrapper(file);
                    }
                }
            }

            public override DirectoryInfoBase GetDirectory(string path)
                => new LinklessDirectory(new DirectoryInfo(Path.Combine(_directory.FullName, path)));

            public override FileInfoBase GetFile(string path) => new FileInfoWrapper(new FileInfo(Path.Combine(_directory.FullName, path)));
        }
    }
}
