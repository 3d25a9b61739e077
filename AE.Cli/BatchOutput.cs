using System.Globalization;
using AE.Experiments;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>How ablate and sweep run a batch from the command line: the engine runs it, the CLI draws its progress and says where the runs are.</summary>
    internal static class BatchOutput
    {
        /// <summary>Runs <paramref name="batch"/> with <paramref name="executor"/>, drawing a progress bar on a terminal, and stores it.</summary>
        public static BatchResult Run(BatchSpec batch, BatchMethods methods, IBatchExecutor executor, RunStore store, CliContext context, bool progress, string label)
        {
            using var bar = new ProgressBar(context.Stderr, progress, label);
            return BatchRunner.Run(batch, methods, executor, store, (done, total) => bar.Report(done, total), context.Cancellation);
        }

        /// <summary>The stderr line saying where the runs are; on Ctrl-C, what was kept.</summary>
        public static void ReportStored(BatchResult result, int total, string db, CliContext context)
        {
            string where = " in " + db + " (batch " + result.Batch + ")";
            if (result.Interrupted)
                context.Stderr.WriteLine("ae: interrupted; " + result.Stored.ToString(CultureInfo.InvariantCulture) + " of " + Plural.Count(total, "run")
                    + (result.Stored == 1 ? " is stored" : " are stored") + where + " (runs cut short with status interrupted); no table was printed");
            else
                context.Stderr.WriteLine("stored " + Plural.Count(result.Stored, "run") + where);
        }
    }
}
