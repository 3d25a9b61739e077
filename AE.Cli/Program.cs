using System;
using System.Text;
using System.Threading;

namespace AE.Cli
{
    /// <summary>Process entry point: wires <see cref="CliApp"/> to the console. All logic lives in CliApp.</summary>
    internal static class Program
    {
        /// <summary>A second interrupt sooner than this after the first is taken as the same one.</summary>
        private const long RepeatMilliseconds = 500;

        private static int Main(string[] args)
        {
            using var interrupt = new CancellationTokenSource();
            // The first Ctrl-C asks the running command to stop cleanly (ae run stores what it has and exits 130);
            // a second one ends the process at once (SQLite's journal then rolls back an unfinished transaction).
            // One within half a second of the first is the same interrupt sent twice: 'timeout -s INT' signals
            // the process and then its process group, which ended a run silently with nothing stored.
            long first = 0;
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (!interrupt.IsCancellationRequested)
                {
                    first = Environment.TickCount64;
                    e.Cancel = true;
                    interrupt.Cancel();
                    return;
                }
                if (Environment.TickCount64 - first < RepeatMilliseconds)
                {
                    e.Cancel = true;
                    return;
                }
                Console.Error.WriteLine("ae: interrupted again; ending at once (what was not yet stored is lost)");
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
