using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace AE.Experiments.Compilation
{
    /// <summary>A file found from an argument (a path or a glob): the path to show the user and the path to open.</summary>
    /// <param name="DisplayPath">The path as the user spelled it (relative stays relative), glob parts joined with '/'.</param>
    /// <param name="FullPath">The absolute path.</param>
    public sealed record InputFile(string DisplayPath, string FullPath);

    /// <summary>
    /// Expands file arguments and globs. '*' matches any characters within one path segment, '?' one
    /// character, and a segment that is exactly '**' any number of directories (zero included).
    /// Symbolic links to directories are not followed by '**', so link cycles cannot loop.
    /// </summary>
    public static class Globbing
    {
        private static readonly char[] Wildcards = { '*', '?' };

        private static readonly StringComparison PathComparison =
            OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        private static readonly EnumerationOptions ListOptions = new()
        {
            RecurseSubdirectories = false,
            IgnoreInaccessible = true,
            AttributesToSkip = 0,
            MatchType = MatchType.Simple,
        };

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
                if (matches.Count == 0) throw new LawInputException("no file matches '" + argument + "'");
                foreach (var file in matches)
                {
                    if (!byFullPath.ContainsKey(file.FullPath)) byFullPath.Add(file.FullPath, file);
                }
            }
            return byFullPath.Values.OrderBy(f => f.DisplayPath, StringComparer.Ordinal).ToList();
        }

        private static InputFile Literal(string argument, string currentDirectory)
        {
            string full = FullPath(argument, currentDirectory);
            if (File.Exists(full)) return new InputFile(argument, full);
            if (Directory.Exists(full))
                throw new LawInputException("'" + argument + "' is a directory; name files or a glob such as '" + argument.TrimEnd('/', '\\') + "/**/*.ae'");
            throw new LawInputException("file not found: '" + argument + "'");
        }

        /// <summary>Matches one glob. The literal directory prefix is kept exactly as written.</summary>
        public static IReadOnlyList<InputFile> ExpandGlob(string pattern, string currentDirectory)
        {
            // Split into the literal directory prefix ("laws/", "/tmp/x/", "") and the segments from the first wildcard on.
            int firstWildcard = pattern.IndexOfAny(Wildcards);
            int prefixEnd = LastSeparator(pattern, firstWildcard) + 1;
            string prefix = pattern.Substring(0, prefixEnd);
            var segments = pattern.Substring(prefixEnd)
                .Split(Separators, StringSplitOptions.RemoveEmptyEntries)
                .Select(s => s == "**" ? null : ToRegex(s))
                .ToArray();

            string baseDirectory = prefix.Length == 0 ? currentDirectory : FullPath(prefix, currentDirectory);
            var results = new List<InputFile>();
            if (segments.Length == 0 || !Directory.Exists(baseDirectory)) return results;

            var seen = new HashSet<string>(StringComparer.FromComparison(PathComparison));
            Walk(baseDirectory, prefix, segments, 0, results, seen);
            return results;
        }

        /// <summary>Matches <paramref name="segments"/>[index..] below <paramref name="directory"/>; a null segment is '**'.</summary>
        private static void Walk(string directory, string display, Regex?[] segments, int index, List<InputFile> results, HashSet<string> seen)
        {
            var segment = segments[index];
            bool last = index == segments.Length - 1;

            if (segment is null)
            {
                if (last)
                {
                    // A trailing '**' matches every file below.
                    foreach (var file in Files(directory)) Add(file, display, results, seen);
                }
                else
                {
                    Walk(directory, display, segments, index + 1, results, seen);
                }
                foreach (var sub in Directories(directory))
                {
                    if (IsLink(sub)) continue;
                    Walk(sub, display + Path.GetFileName(sub) + "/", segments, index, results, seen);
                }
                return;
            }

            if (last)
            {
                foreach (var file in Files(directory))
                {
                    if (segment.IsMatch(Path.GetFileName(file))) Add(file, display, results, seen);
                }
                return;
            }

            foreach (var sub in Directories(directory))
            {
                string name = Path.GetFileName(sub);
                if (segment.IsMatch(name)) Walk(sub, display + name + "/", segments, index + 1, results, seen);
            }
        }

        private static void Add(string file, string display, List<InputFile> results, HashSet<string> seen)
        {
            if (seen.Add(file)) results.Add(new InputFile(display + Path.GetFileName(file), file));
        }

        private static IEnumerable<string> Files(string directory) => Directory.EnumerateFiles(directory, "*", ListOptions);

        private static IEnumerable<string> Directories(string directory) => Directory.EnumerateDirectories(directory, "*", ListOptions);

        private static bool IsLink(string directory) => new DirectoryInfo(directory).LinkTarget is not null;

        private static string FullPath(string path, string currentDirectory) => Path.GetFullPath(path, currentDirectory);

        private static readonly char[] Separators = Path.DirectorySeparatorChar == Path.AltDirectorySeparatorChar
            ? new[] { Path.DirectorySeparatorChar }
            : new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar };

        private static int LastSeparator(string pattern, int before) => pattern.LastIndexOfAny(Separators, Math.Max(before - 1, 0));

        /// <summary>One segment pattern as an anchored regex: '*' is any run of characters, '?' one character.</summary>
        private static Regex ToRegex(string segment)
        {
            var sb = new StringBuilder("^");
            foreach (char c in segment)
            {
                sb.Append(c switch
                {
                    '*' => ".*",
                    '?' => ".",
                    _ => Regex.Escape(c.ToString()),
                });
            }
            sb.Append('$');
            var options = RegexOptions.CultureInvariant | RegexOptions.Singleline;
            if (PathComparison == StringComparison.OrdinalIgnoreCase) options |= RegexOptions.IgnoreCase;
            return new Regex(sb.ToString(), options);
        }
    }
}
