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
            var interrupts = new Interrupts(interrupt, Console.Error);
            ConsoleCancelEventHandler onCancel = (_, e) => e.Cancel = interrupts.Take();
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
