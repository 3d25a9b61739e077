using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace AE.Cli
{
    /// <summary>Process entry point: wires <see cref="CliApp"/> to the console. All logic lives in CliApp.</summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            using var interrupt = new CancellationTokenSource();
            var interrupts = new Interrupts(interrupt, Console.Error);
            ConsoleCancelEventHandler onCancel = (_, e) => e.Cancel = interrupts.Take();
            Console.CancelKeyPress += onCancel;
            // SIGTERM (plain 'timeout', 'kill', 'docker stop') stops a command as Ctrl-C does, so what it did is stored.
            using var onTerminate = TerminateHandler(interrupts);
            try
            {
                Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
                string currentDirectory;
                try
                {
                    currentDirectory = Environment.CurrentDirectory;
                }
                catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
                {
                    // A folder deleted under the shell: every relative path would mean nothing.
                    Console.Error.WriteLine("ae: error: the current folder cannot be read (it may have been deleted: " + ex.Message.TrimEnd('.') + "); cd to one that exists");
                    return ExitCodes.Usage;
                }
                var context = new CliContext(new StdoutWriter(Console.Out), Console.Error, currentDirectory)
                {
                    Cancellation = interrupt.Token,
                    StderrIsTerminal = !Console.IsErrorRedirected,
                    StopsOnInterrupt = () => interrupts.Watched = true,
                };
                return CliApp.Run(args, context);
            }
            catch (Exception ex)
            {
                CliApp.ReportInternalError(Console.Error, ex);
                return ExitCodes.InternalError;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }

        private static PosixSignalRegistration? TerminateHandler(Interrupts interrupts)
        {
            try
            {
                return PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => c.Cancel = interrupts.Take());
            }
            catch (PlatformNotSupportedException)
            {
                return null;   // a platform without SIGTERM keeps its default
            }
        }
    }
}
