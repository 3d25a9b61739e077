using System;
using System.Text;

namespace AE.Cli
{
    /// <summary>Process entry point: wires <see cref="CliApp"/> to the console. All logic lives in CliApp.</summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            try
            {
                Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
                return CliApp.Run(args, Console.Out, Console.Error, Environment.CurrentDirectory);
            }
            catch (Exception ex)
            {
                CliApp.ReportInternalError(Console.Error, ex);
                return ExitCodes.InternalError;
            }
        }
    }
}
