using System;
using System.Globalization;
using System.IO;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// The <c>--out</c> files of runs named by their ids in the run database (<c>run-ID.csv</c>, <c>.svg</c>, <c>.png</c>). Run ids
    /// restart in every database, so a folder that holds another database's files would be overwritten: the ids a batch of runs
    /// will get are checked before the database is opened (a new one gives the first ids, and a refusal must not leave it behind)
    /// and again once it is open, and each run's files once more when it is stored (another process may have stored runs in between).
    /// </summary>
    internal static class RunOutputFiles
    {
        /// <summary>
        /// Opens the run database for <paramref name="count"/> runs whose files go to <paramref name="outDir"/> (none when null), after
        /// refusing any that would replace another run's files, and creates the folder.
        /// </summary>
        /// <param name="what">the runs, as the refusal names them ("this run", "this swarm's member runs")</param>
        /// <param name="firstId">the id the first of the runs will get, unless another process stores runs in between</param>
        /// <param name="folderLock">the folder held for this process (<see cref="OutputFiles.LockFolder"/>) until disposed; null without a folder</param>
        /// <param name="ownName">the names of the files the command writes in <paramref name="outDir"/> (<see cref="OutputFiles.OpenStoreAfterFolder"/>)</param>
        public static RunStore OpenStore(string dbPath, string? outDir, long count, string what, CliContext context, out long firstId, out IDisposable? folderLock,
            Func<string, bool> ownName)
        {
            bool newDatabase = !File.Exists(dbPath);
            if (newDatabase && outDir is not null) RefuseToOverwrite(outDir, 1, count, dbPath, what, context);
            long next = 0;
            var store = OutputFiles.OpenStoreAfterFolder(dbPath, outDir, context, out folderLock, ownName, opened =>
            {
                next = opened.NextId();
                if (outDir is not null && !newDatabase) RefuseToOverwrite(outDir, next, count, dbPath, what, context);
            });
            firstId = next;
            return store;
        }

        /// <summary>Refuses the runs <paramref name="firstId"/> to <paramref name="firstId"/> + <paramref name="count"/> − 1 when the files of any would replace another run's.</summary>
        private static void RefuseToOverwrite(string outDir, long firstId, long count, string dbPath, string what, CliContext context)
        {
            for (long id = firstId; id < firstId + count; id++)
            {
                if (OutputFiles.FirstExisting(outDir, Names(id), context) is not string taken) continue;
                string ids = count == 1 ? "run " + Id(firstId) : "runs " + Id(firstId) + " to " + Id(firstId + count - 1);
                string clash = count == 1 ? "would overwrite it" : "may write run " + Id(id) + "'s files";
                throw new CliException(taken + " exists: " + what + " will be " + ids + " of " + Experiment.Display(dbPath, context.CurrentDirectory)
                    + " and " + clash + " (run ids restart in every database); give another --out, or move the file");
            }
        }

        /// <summary>
        /// Refuses to write the files of run <paramref name="id"/>, just stored, when one exists: another process stored runs after
        /// <see cref="OpenStore"/> checked, so the files of this id may be another run's.
        /// </summary>
        /// <param name="stored">what was stored and where, as the refusal says it ("the run is stored in runs.db")</param>
        public static void RefuseTaken(string outDir, long id, string stored, CliContext context)
        {
            if (OutputFiles.FirstExisting(outDir, Names(id), context) is string taken)
                throw new CliException(stored + ", but run " + Id(id) + "'s files are not written: " + taken + " exists");
        }

        /// <summary>The files <c>--out</c> receives for run <paramref name="id"/>.</summary>
        public static string[] Names(long id)
        {
            string stem = Stem(id);
            return new[] { stem + ".csv", stem + ".svg", stem + ".png" };
        }

        /// <summary>Whether <paramref name="name"/> is one of the files of some run: <c>run-ID.csv</c>, <c>.svg</c> or <c>.png</c>.</summary>
        public static bool IsRunFile(string name) => System.Text.RegularExpressions.Regex.IsMatch(name, @"^run-[0-9]+\.(csv|svg|png)$",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant | (OutputFiles.IgnoresCase ? System.Text.RegularExpressions.RegexOptions.IgnoreCase : 0));

        /// <summary>The files' name without its extension: <c>run-ID</c>.</summary>
        public static string Stem(long id) => "run-" + Id(id);

        private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
    }
}
