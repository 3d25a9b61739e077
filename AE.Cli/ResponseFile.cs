using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace AE.Cli
{
    /// <summary>A response file that cannot be read, or one that includes itself; the message is one line.</summary>
    public sealed class ResponseFileException : Exception
    {
        public ResponseFileException() { }

        public ResponseFileException(string message) : base(message) { }

        public ResponseFileException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>
    /// The arguments of <c>@FILE</c>, as docs/cli.md gives them: separated by spaces or line ends, <c>"quoted"</c> when they
    /// hold spaces, a line that starts with '#' a comment, and an argument <c>@OTHER</c> replaced by OTHER's arguments in
    /// turn (every path relative to the current directory). A file reached again while it is being read (a file that
    /// names itself, or two that name each other) is an error, not an endless expansion.
    /// </summary>
    public static class ResponseFile
    {
        /// <summary>How deep response files may include one another.</summary>
        public const int MaxDepth = 100;

        /// <param name="token">the argument without its '@'</param>
        public static IReadOnlyList<string> Expand(string token, string currentDirectory)
        {
            var result = new List<string>();
            Expand(token, currentDirectory, new List<string>(), result);
            return result;
        }

        private static void Expand(string token, string currentDirectory, List<string> open, List<string> into)
        {
            string path;
            try { path = Path.GetFullPath(token, currentDirectory); }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw new ResponseFileException("response file not found: '" + token + "'", ex);
            }
            if (open.Contains(path))
                throw new ResponseFileException("response file '" + token + "' includes itself (" + string.Join(" -> ", open.ConvertAll(Path.GetFileName)) + " -> " + Path.GetFileName(path) + ")");
            // Each level is a frame of this method: a chain thousands deep overflowed the stack.
            if (open.Count >= MaxDepth)
                throw new ResponseFileException("response files nest more than " + MaxDepth + " deep (" + Path.GetFileName(open[0]) + " -> " + Path.GetFileName(open[1]) + " -> ... -> "
                    + Path.GetFileName(open[^1]) + " -> " + Path.GetFileName(path) + ")");
            if (Directory.Exists(path)) throw new ResponseFileException("response file '" + token + "' is a folder");
            if (!File.Exists(path)) throw new ResponseFileException("response file not found: '" + token + "'");
            string text;
            try { text = File.ReadAllText(path, Encoding.UTF8); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ResponseFileException("cannot read response file '" + token + "': " + ex.Message, ex);
            }
            open.Add(path);
            var lines = text.Split('\n');
            for (int number = 1; number <= lines.Length; number++)
            {
                var trimmed = lines[number - 1].Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#') continue;
                if (trimmed.Count(c => c == '"') % 2 != 0)
                    throw new ResponseFileException("response file '" + token + "', line " + number.ToString(System.Globalization.CultureInfo.InvariantCulture) + ": a double quote is not closed");
                foreach (var argument in Split(trimmed))
                {
                    // No argument of a command line can hold one; a path with it is refused deep in the file API.
                    if (argument.Contains('\0', StringComparison.Ordinal))
                        throw new ResponseFileException("response file '" + token + "', line " + number.ToString(System.Globalization.CultureInfo.InvariantCulture) + ": an argument holds a NUL character");
                    if (argument.Length > 1 && argument[0] == '@') Expand(argument.Substring(1), currentDirectory, open, into);
                    else into.Add(argument);
                }
            }
            open.RemoveAt(open.Count - 1);
        }

        /// <summary>A line's arguments: whitespace separates them outside double quotes, which are dropped.</summary>
        private static IEnumerable<string> Split(string line)
        {
            var current = new StringBuilder();
            bool quoted = false, any = false;
            foreach (char c in line)
            {
                if (c == '"') { quoted = !quoted; any = true; continue; }
                if (!quoted && char.IsWhiteSpace(c))
                {
                    if (any) yield return current.ToString();
                    current.Clear();
                    any = false;
                    continue;
                }
                current.Append(c);
                any = true;
            }
            if (any) yield return current.ToString();
        }
    }
}
