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
        }
    }
}
