using System.Collections.Generic;
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

        /// <summary>
        /// The stderr line saying where the runs are; on Ctrl-C, what became of them. A batch whose executor stopped before
        /// its end (the cluster lost) is a <see cref="CliException"/> that says why and how many of its runs had finished
        /// and are stored. When storing failed, nothing is said here: <see cref="Finish"/> says it after the table, which has every run.
        /// </summary>
        public static void ReportStored(BatchResult result, int total, string db, CliContext context)
        {
            int ran = total - result.NotRun;
            if (result.Stopped is string why)
                throw new CliException(why + "; " + (ran == 0 ? "no run had finished, so none is stored"
                    : ran.ToString(CultureInfo.InvariantCulture) + " of " + Plural.Count(total, "run") + " had finished"
                      + (result.Stored == ran ? " and " + (ran == 1 ? "is" : "are") + " stored" : ", " + result.Stored.ToString(CultureInfo.InvariantCulture) + " of them stored")
                      + Where(result, db) + NotStored(result, ran)));
            if (result.Interrupted)
                context.Stderr.WriteLine("ae: interrupted; " + Stored(result.Stored, total) + Where(result, db) + ": " + Fates(result, ran) + NotStored(result, ran) + "; no table was printed");
            else if (result.StoreFailed is null)
                context.Stderr.WriteLine("stored " + Plural.Count(result.Stored, "run") + Where(result, db));
        }

        /// <summary>
        /// The exit code once the table is printed: success, or, when storing the runs failed, the one line that says how
        /// far it got (the table above has every run all the same) and <see cref="ExitCodes.Usage"/>, as for any database that cannot be written.
        /// </summary>
        public static int Finish(BatchResult result, int total, string db, CliContext context)
        {
            if (result.StoreFailed is null) return ExitCodes.Success;
            context.Stderr.WriteLine("ae: error: " + result.StoreFailed + "; " + Stored(result.Stored, total) + Where(result, db) + ", the output above has all of them");
            return ExitCodes.Usage;
        }

        /// <summary>What became of the runs on Ctrl-C: how many that ran are complete or were cut short, how many never started.</summary>
        private static string Fates(BatchResult result, int ran)
        {
            if (ran == 0) return "none had started";
            int cut = result.CutShort;
            var fates = new List<string>();
            if (ran > cut) fates.Add((ran - cut).ToString(CultureInfo.InvariantCulture) + " complete");
            if (cut > 0) fates.Add(cut.ToString(CultureInfo.InvariantCulture) + " cut short (status interrupted)");
            if (result.NotRun > 0) fates.Add(result.NotRun.ToString(CultureInfo.InvariantCulture) + " not started");
            return string.Join(", ", fates);
        }

        /// <summary>Why the runs that ran past the ones stored are not in the database (storing failed), or nothing.</summary>
        private static string NotStored(BatchResult result, int ran)
            => result.StoreFailed is string failed ? "; the other " + Plural.Count(ran - result.Stored, "run") + " could not be stored: " + failed : "";

        private static string Stored(int stored, int total)
            => stored.ToString(CultureInfo.InvariantCulture) + " of " + Plural.Count(total, "run") + (stored == 1 ? " is stored" : " are stored");

        private static string Where(BatchResult result, string db) => " in " + db + " (batch " + result.Batch + ")";
    }
}
