using System;
using System.Globalization;
using System.IO;

namespace AE.Experiments.Training
{
    /// <summary>Writes a file whole or not at all: into a temporary file beside it, flushed to disk, then renamed over it.</summary>
    public static class AtomicFile
    {
        public static void Write(string path, Action<Stream> write)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (write is null) throw new ArgumentNullException(nameof(write));
            string temp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            try
            {
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            RemoveOrphans(path);
        }

        /// <summary>
        /// Temporary files of this path that a process killed while writing left behind (<c>PATH.tmp-PID</c> of a process
        /// that no longer runs): the file they were to become was written since, so they hold nothing anyone needs.
        /// </summary>
        private static void RemoveOrphans(string path)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            string name = Path.GetFileName(path);
            if (dir is not null) RemoveOrphansIn(dir, n => n == name);
        }

        /// <summary>
        /// Every temporary file in <paramref name="dir"/> that a process killed while writing left (<c>NAME.tmp-PID</c> of a
        /// process that no longer runs) where <paramref name="ownName"/> says NAME is a file of the caller's: a run's own
        /// file whose writer died may never be written again (its name held a run id), so its temporary would stay forever.
        /// Files of other names are left alone, whatever they are called.
        /// </summary>
        public static void RemoveOrphansIn(string dir, Func<string, bool> ownName)
        {
            if (dir is null) throw new ArgumentNullException(nameof(dir));
            if (ownName is null) throw new ArgumentNullException(nameof(ownName));
            try
            {
                foreach (var candidate in Directory.EnumerateFiles(dir, "*.tmp-*"))
                {
                    if (TemporaryOf(Path.GetFileName(candidate)) is not var (file, id) || id == Environment.ProcessId || Running(id)) continue;
                    if (ownName(file)) File.Delete(candidate);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Tidying only: a file that cannot be listed or removed stays.
            }
        }

        /// <summary>The file and process id a temporary file's name holds (<c>NAME.tmp-PID</c>), or null for another name.</summary>
        public static (string File, int ProcessId)? TemporaryOf(string name)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            int at = name.LastIndexOf(".tmp-", StringComparison.Ordinal);
            return at > 0 && int.TryParse(name.AsSpan(at + 5), NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? (name.Substring(0, at), id) : null;
        }

        private static bool Running(int pid)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
    }
}
