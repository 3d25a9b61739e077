using System;
using System.Globalization;
using System.IO;
using System.Text;
using AE.Experiments.Training;

namespace AE.Cli
{
    /// <summary>
    /// The files the commands write under <c>--out</c>: the folder made when missing, each file written whole or not at
    /// all, and a failure as one <see cref="CliException"/> naming the folder or the file.
    /// </summary>
    internal static class OutputFiles
    {
        /// <summary>Creates <paramref name="dir"/> (and the folders above it) when missing.</summary>
        public static void CreateFolder(string dir)
        {
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot create the folder '" + dir + "': " + ex.Message, ex);
            }
        }

        /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> whole or not at all.</summary>
        public static void WriteBytes(string path, byte[] bytes)
        {
            try
            {
                AtomicFile.Write(path, stream => stream.Write(bytes));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot write '" + path + "': " + ex.Message, ex);
            }
        }

        /// <summary>Writes the text <paramref name="write"/> produces (UTF-8) as <c>DIR/NAME</c>, making DIR; returns the path as the command line shows it.</summary>
        public static string Text(string dir, string name, Action<TextWriter> write, CliContext context)
        {
            if (write is null) throw new ArgumentNullException(nameof(write));
            if (context is null) throw new ArgumentNullException(nameof(context));
            using var content = new StringWriter(CultureInfo.InvariantCulture);
            write(content);
            CreateFolder(dir);
            string path = Path.Combine(dir, name);
            WriteBytes(path, new UTF8Encoding(false).GetBytes(content.ToString()));
            return Experiment.Display(path, context.CurrentDirectory);
        }
    }
}
