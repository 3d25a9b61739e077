using System;
using System.IO;
using System.Text;

namespace AE.Cli
{
    /// <summary>
    /// Standard output as the commands write it: a write the system refuses (stdout closed, a full disk) is one line,
    /// <c>ae: error: cannot write to standard output (...)</c>, exit 2, not an internal error. What the command stored
    /// before it wrote (runs, files) stays stored.
    /// </summary>
    internal sealed class StdoutWriter : TextWriter
    {
        private readonly TextWriter _inner;

        public StdoutWriter(TextWriter inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

        public override Encoding Encoding => _inner.Encoding;

        public override IFormatProvider FormatProvider => _inner.FormatProvider;

        public override string NewLine
        {
            get => _inner.NewLine;
#pragma warning disable CS8765 // the base's setter takes null as the default line end; so does the inner writer's
            set => _inner.NewLine = value;
#pragma warning restore CS8765
        }

        public override void Write(char value) => Guard(() => _inner.Write(value));

        public override void Write(string? value) => Guard(() => _inner.Write(value));

        public override void Write(char[] buffer, int index, int count) => Guard(() => _inner.Write(buffer, index, count));

        public override void WriteLine(string? value) => Guard(() => _inner.WriteLine(value));

        public override void WriteLine() => Guard(() => _inner.WriteLine());

        public override void Flush() => Guard(_inner.Flush);

        private static void Guard(Action write)
        {
            try
            {
                write();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                throw new CliException("cannot write to standard output (" + ex.Message.TrimEnd('.') + "): is it closed, or its disk full?", ex);
            }
        }
    }
}
