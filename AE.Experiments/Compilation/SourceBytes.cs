using System.IO;

namespace AE.Experiments.Compilation
{
    /// <summary>
    /// The bytes of a .ae file, read up to a limit: a path that names something endless (<c>/dev/zero</c>) or a file far larger
    /// than a law is refused with a message, where reading it whole ran out of memory.
    /// </summary>
    public static class SourceBytes
    {
        /// <summary>The most a source file may hold: far beyond any law or cell, well within memory.</summary>
        public const int Limit = 64 << 20;

        /// <exception cref="IOException">the file cannot be read, or holds more than <see cref="Limit"/> bytes</exception>
        public static byte[] Read(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var bytes = new MemoryStream();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (bytes.Length + read > Limit)
                    throw new IOException("it holds more than " + (Limit >> 20) + " MiB, more than a .ae file does (is it the file you meant?)");
                bytes.Write(buffer, 0, read);
            }
            return bytes.ToArray();
        }
    }
}
