using System;
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
            // The first Ctrl-C asks the running command to stop cleanly (ae run stores what it has and exits 130);
            // a second one ends the process at once (SQLite's journal then rolls back an unfinished transaction).
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (interrupt.IsCancellationRequested) return;
                e.Cancel = true;
                interrupt.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
                var context = new CliContext(Console.Out, Console.Error, Environment.CurrentDirectory)
                {
                    Cancellation = interrupt.Token,
                    StderrIsTerminal = !Console.IsErrorRedirected,
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
    }
}
