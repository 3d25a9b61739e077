using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using AE.Engine;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AE.Engine.Tests
{
    public class BatchRunnerTests
    {
        private static BatchSpec Batch(string id, int seeds = 2)
        {
            var adam = new BaselineSpec("adam");
            var sgdm = new BaselineSpec("sgdm", new Dictionary<string, double> { ["lr"] = 0.01 });
            var task = TaskSource.FromCatalog("quadratic");
            var jobs = new List<BatchJob>();
            foreach (var spec in new[] { adam, sgdm })
                for (int s = 0; s < seeds; s++)
                    jobs.Add(new BatchJob(task, JobRecipe.Of(spec), (ulong)s, 40, spec.Name, null, null, spec.SettingsJson()));
            return new BatchSpec("ablate", id, null, new[] { adam, sgdm }, jobs, RecordSignals: false);
        }

        private static long Count(string db, string sql)
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
            c.Open();
            using var command = c.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }

        private static (long Runs, string State) BatchRow(string db, string batch)
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
            c.Open();
            using var command = c.CreateCommand();
            command.CommandText = "SELECT runs, state FROM batches WHERE batch = $batch;";
            command.Parameters.AddWithValue("$batch", batch);
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read(), "no row for batch " + batch);
            return (reader.GetInt64(0), reader.GetString(1));
        }

        [Fact]
        public void Run_keys_depend_on_what_decides_the_result_only()
        {
            var a = Batch("one").Jobs;
            var b = Batch("two").Jobs;
            Assert.Equal(a.Select(j => j.Key), b.Select(j => j.Key));
            Assert.Equal(a.Count, a.Select(j => j.Key).Distinct().Count());
            Assert.Matches("^[0-9a-f]{64}$", a[0].Key);
            Assert.NotEqual(a[0].Key, (a[0] with { Steps = 41 }).Key);
            Assert.NotEqual(a[0].Key, (a[0] with { SettingsJson = "{}" }).Key);
        }

        [Fact]
        public void A_batch_with_two_jobs_of_one_key_is_refused()
        {
            var batch = Batch("dup");
            var twice = batch with { Jobs = batch.Jobs.Concat(batch.Jobs.Take(1)).ToList() };
            string db = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N") + ".db");
            using var store = RunStore.Open(db);
            Assert.Throws<InvalidOperationException>(() => BatchRunner.Run(twice, new BatchMethods(null, twice.Baselines), LocalExecutor.Instance, store, (_, _) => { }, CancellationToken.None));
        }

        [Fact]
        public void A_redone_batch_replaces_its_runs_and_another_batch_adds_its_own()
        {
            string db = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N") + ".db");
            try
            {
                var batch = Batch("ablate-redo");
                var methods = new BatchMethods(null, batch.Baselines);
                var calls = new List<(int, int)>();
                using (var store = RunStore.Open(db))
                {
                    var first = BatchRunner.Run(batch, methods, LocalExecutor.Instance, store, (d, t) => calls.Add((d, t)), CancellationToken.None);
                    Assert.Equal(4, first.Stored);
                    var again = BatchRunner.Run(batch, methods, LocalExecutor.Instance, store, (_, _) => { }, CancellationToken.None);
                    Assert.Equal(first.Runs.Select(r => r!.FinalLoss), again.Runs.Select(r => r!.FinalLoss));
                    BatchRunner.Run(Batch("ablate-other"), methods, LocalExecutor.Instance, store, (_, _) => { }, CancellationToken.None);
                }
                Assert.Equal((0, 4), calls[0]);
                Assert.Equal((4, 4), calls[^1]);
                Assert.Equal(4, Count(db, "SELECT count(*) FROM runs WHERE batch = 'ablate-redo'"));
                Assert.Equal(8, Count(db, "SELECT count(*) FROM runs"));
                Assert.Equal(4, Count(db, "SELECT count(DISTINCT run_key) FROM runs"));
                Assert.Equal((4L, BatchState.Complete), BatchRow(db, "ablate-redo"));
                Assert.Equal((4L, BatchState.Complete), BatchRow(db, "ablate-other"));
            }
            finally
            {
                File.Delete(db);
            }
        }

        /// <summary>Runs the first <paramref name="finished"/> jobs, then stops as a cluster that was lost does.</summary>
        private sealed class StopsAfter(int finished) : IBatchExecutor
        {
            public IReadOnlyList<JobOutcome?> Execute(BatchSpec batch, BatchMethods methods, Action<int, int> progress, CancellationToken cancellation)
            {
                var ran = BatchRunner.RunJobs(batch, Enumerable.Range(0, finished).ToList(), methods, progress, cancellation);
                var outcomes = new JobOutcome?[batch.Jobs.Count];
                ran.CopyTo(outcomes, 0);
                throw new BatchStoppedException("lost the cluster at localhost:11111: no worker answered for 30 s", outcomes, new TimeoutException());
            }
        }

        [Fact]
        public void The_runs_that_finished_before_the_executor_stopped_are_stored()
        {
            string db = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N") + ".db");
            try
            {
                var batch = Batch("sweep-stopped");
                BatchResult result;
                using (var store = RunStore.Open(db))
                    result = BatchRunner.Run(batch, new BatchMethods(null, batch.Baselines), new StopsAfter(3), store, (_, _) => { }, CancellationToken.None);
                Assert.Equal("lost the cluster at localhost:11111: no worker answered for 30 s", result.Stopped);
                Assert.False(result.Interrupted);
                Assert.Equal((3, 1), (result.Stored, result.NotRun));
                Assert.Equal(3, Count(db, "SELECT count(*) FROM runs WHERE batch = 'sweep-stopped' AND status <> 'interrupted'"));
                Assert.Null(result.Runs[3]);
                // The three stored are the first three jobs', each once.
                Assert.Equal(3, Count(db, "SELECT count(DISTINCT run_key) FROM runs WHERE run_key IN (" + string.Join(",", batch.Jobs.Take(3).Select(j => "'" + j.Key + "'")) + ")"));
                Assert.Equal((3L, BatchState.Stopped), BatchRow(db, "sweep-stopped"));
            }
            finally
            {
                File.Delete(db);
            }
        }

        [Fact]
        public void A_batch_interrupted_before_any_run_is_recorded_as_interrupted()
        {
            string db = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N") + ".db");
            try
            {
                var batch = Batch("sweep-interrupted");
                using var cancelled = new CancellationTokenSource();
                cancelled.Cancel();
                BatchResult result;
                using (var store = RunStore.Open(db))
                    result = BatchRunner.Run(batch, new BatchMethods(null, batch.Baselines), LocalExecutor.Instance, store, (_, _) => { }, cancelled.Token);
                Assert.True(result.Interrupted);
                Assert.Equal((0, 4), (result.Stored, result.NotRun));
                Assert.Equal((0L, BatchState.Interrupted), BatchRow(db, "sweep-interrupted"));
            }
            finally
            {
                File.Delete(db);
            }
        }

        /// <summary>
        /// A store that fails after two of four runs (a trigger stands in for a full disk, or a process killed there) leaves the
        /// batch recorded as storing: the two runs are not taken for the whole batch.
        /// </summary>
        [Fact]
        public void A_batch_whose_storing_ends_part_way_stays_recorded_as_storing()
        {
            string db = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N") + ".db");
            try
            {
                var batch = Batch("ablate-partial");
                using (RunStore.Open(db)) { }
                using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
                {
                    c.Open();
                    using var command = c.CreateCommand();
                    command.CommandText = "CREATE TRIGGER full_disk BEFORE INSERT ON runs WHEN (SELECT count(*) FROM runs) >= 2 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;";
                    command.ExecuteNonQuery();
                }
                BatchResult result;
                using (var store = RunStore.Open(db))
                    result = BatchRunner.Run(batch, new BatchMethods(null, batch.Baselines), LocalExecutor.Instance, store, (_, _) => { }, CancellationToken.None);
                Assert.Contains("database or disk is full", result.StoreFailed, StringComparison.Ordinal);
                Assert.Equal(2, result.Stored);
                Assert.Equal(2, Count(db, "SELECT count(*) FROM runs WHERE batch = 'ablate-partial'"));
                Assert.Equal((4L, BatchState.Storing), BatchRow(db, "ablate-partial"));
            }
            finally
            {
                File.Delete(db);
            }
        }

        [Fact]
        public void A_batch_whose_runs_cannot_be_stored_keeps_them_all_and_says_why()
        {
            string folder = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var batch = Batch("ablate-unstored");
            using var store = RunStore.Open(Path.Combine(folder, "runs.db"));
            // The database's file and folder removed under the open store: SQLite refuses every write to it (even to root).
            Directory.Delete(folder, recursive: true);
            var result = BatchRunner.Run(batch, new BatchMethods(null, batch.Baselines), LocalExecutor.Instance, store, (_, _) => { }, CancellationToken.None);
            Assert.StartsWith("cannot write to the database '" + Path.Combine(folder, "runs.db") + "': ", result.StoreFailed, StringComparison.Ordinal);
            Assert.Equal(0, result.Stored);
            Assert.False(result.Interrupted);
            Assert.All(result.Runs, r => Assert.NotNull(r));
            Assert.Equal(4, result.Runs.Count);
        }
    }
}
