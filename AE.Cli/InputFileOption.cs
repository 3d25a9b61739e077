using System;
using System.IO;

namespace AE.Cli
{
    /// <summary>An option that names one file to read (<c>--resume</c>, <c>--init</c>): checked before any work starts.</summary>
    internal static class InputFileOption
    {
        /// <summary>
        /// The absolute path of the file <paramref name="option"/> names, or null when it is not given. A folder (often the
        /// <c>--out</c> folder that holds the file), a missing or empty file, a FIFO or a device is one line; a file that cannot be
        /// read is its reader's.
        /// </summary>
        /// <param name="what">the file, as the messages name it ("checkpoint file")</param>
        /// <param name="usualName">the name the file has in the folder a command writes it to, for the hint</param>
        public static string? Path(CommandInput parsed, string option, string what, string usualName, CliContext context)
        {
            if (parsed.Value(option) is not string given) return null;
            string full = System.IO.Path.GetFullPath(given, context.CurrentDirectory);
            if (Directory.Exists(full))
                throw new CliException(option + " '" + given + "' is a folder, not a " + what + "; name the file in it, such as "
                    + System.IO.Path.Combine(given, usualName).Replace(System.IO.Path.DirectorySeparatorChar, '/'));
            if (!File.Exists(full)) throw new CliException("no " + what + " '" + given + "'");
            // A FIFO or a device has no length, as an empty file: reading one would wait for a writer that may never come,
            // in an open() that no interrupt ends.
            if (!HasBytes(full))
                throw new CliException("cannot read the " + what + " '" + given + "' (" + option + "): it is empty, or not a regular file (a FIFO or a device is not read)");
            return full;
        }

        /// <summary>Whether the file at <paramref name="path"/>, or the one its links lead to, has a length (a FIFO or a device has none).</summary>
        private static bool HasBytes(string path)
        {
            try
            {
                FileSystemInfo info = new FileInfo(path);
                // A link's own length is its target's name: ask the file it leads to.
                if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
                return info is FileInfo { Exists: true, Length: > 0 };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
