using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using AE.Experiments.Machine;
using Microsoft.Data.Sqlite;

namespace AE.Engine
{
    /// <summary>One run to store: what ran, on what, with which settings, and what the machine produced.</summary>
    /// <param name="Command"><c>run</c>, <c>ablate</c> or <c>sweep</c></param>
    /// <param name="Batch">the invocation the run belongs to (ablate and sweep store many runs under one batch), or null</param>
    /// <param name="Law">the law's (or baseline's) name</param>
    /// <param name="LawSha256">SHA-256 of the .ae file's bytes; null for a baseline</param>
    /// <param name="LawFile">the .ae file as named on the command line; null for a baseline</param>
    /// <param name="SettingsJson">the settings as a JSON object</param>
    /// <param name="Ablated">the rules switched off, in order</param>
    /// <param name="Interrupted">the run was cut short by Ctrl-C</param>
    /// <param name="StoreSteps">whether one row per step goes into <c>steps</c></param>
    public sealed record RunRecord(string Command, string? Batch, string Law, string? LawSha256, string? LawFile, string Task, ulong Seed,
        string SettingsJson, IReadOnlyList<string> Ablated, MachineRun Run, DateTime StartedAt, DateTime FinishedAt, bool Interrupted, bool StoreSteps)
    {
        /// <summary>
        /// The run's key in its batch (<see cref="BatchJob.Key"/>), or a resumable run's own key (no batch), or null: a run saved
        /// again under the same batch and key replaces the first.
        /// </summary>
        public string? Key { get; init; }

        /// <summary>
        /// <c>accepted</c> (an accept predicate held), <c>not-reached</c> (the budget ran out), <c>diverged</c>,
        /// <c>non-finite</c> (NaN or ±∞ in the loss, gradient or theta), <c>interrupted</c> (Ctrl-C).
        /// </summary>
        public string Status => Interrupted || Run.Stop == StopReason.Cancelled ? "interrupted" : Run.Stop switch
        {
            StopReason.Accepted => "accepted",
            StopReason.BudgetExhausted => "not-reached",
            StopReason.Diverged => "diverged",
            StopReason.NonFinite => "non-finite",
            _ => Run.Stop.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>How a batch's storing ended, as the <c>batches</c> table's state says it.</summary>
    public static class BatchState
    {
        /// <summary>Its runs are being stored; left so by a process that ended while storing them, or a store that failed.</summary>
        public const string Storing = "storing";

        /// <summary>Every run of the batch ran to its end and is stored.</summary>
        public const string Complete = "complete";

        /// <summary>Ctrl-C (or SIGTERM) cut runs short or kept them from starting; every run that came back is stored.</summary>
        public const string Interrupted = "interrupted";

        /// <summary>The cluster was lost before every run came back; those that did are stored.</summary>
        public const string Stopped = "stopped";

        /// <summary>How a batch ended: a lost cluster before an interrupt, an interrupt before a whole batch.</summary>
        public static string Of(bool stopped, bool interrupted) => stopped ? Stopped : interrupted ? Interrupted : Complete;
    }

    /// <summary>
    /// The SQLite database of runs (<c>ae-runs.db</c> by default). Two tables:
    /// <list type="bullet">
    /// <item><c>runs</c>: one row per run: id, started_at and finished_at (ISO 8601 UTC), command, batch, law,
    /// law_sha256, law_file, task, seed, steps (the budget), settings (JSON object), ablated (comma list, empty
    /// for none), status, steps_taken, steps_to_target (NULL when not reached), target_loss, optimum_loss,
    /// initial_loss, final_loss, auc, incidents (count), incident_list (JSON array of {step, kind, value,
    /// message}), signal_names (JSON array), steps_stored (0 or 1), run_key (the run's key in its batch, <see cref="BatchJob.Key"/>,
    /// unique per batch; for a complete run of ae run or ae train, with no batch, the random key its checkpoints carry from
    /// its start (train's ends in /EPOCHS); NULL for swarm's runs and for the partial run an interrupt stores).</item>
    /// <item><c>steps</c>: (run_id, step, loss, signals): step k = 1, 2, ... is the k-th law step, loss the loss
    /// it was handed (at theta before the step), signals a JSON object {name: value} of every signal of the law
    /// after the step (<c>json_extract(signals, '$.alpha')</c>). In real columns ±inf is stored as it is and NaN is
    /// NULL (SQLite has no NaN); in JSON they are the strings "NaN", "Infinity", "-Infinity".</item>
    /// <item><c>batches</c>: one row per batch that ablate, sweep or swarm stored (<see cref="BeginBatch"/>): batch, command,
    /// runs (how many of its runs came back to be stored), state (<see cref="BatchState"/>: <c>storing</c> until its last
    /// run is stored, so a process killed while storing, or a store that failed, leaves it there), started_at, finished_at.
    /// Added without a schema version of its own: an ae that does not know it leaves it alone, and the batches such an ae
    /// stores have no row.</item>
    /// </list>
    /// Each run is written in one transaction (the run row and all its step rows, with prepared, reused
    /// commands), so the database only ever holds whole runs: a process killed while writing leaves the
    /// previous state (SQLite's journal rolls the unfinished transaction back).
    /// </summary>
    public sealed class RunStore : IDisposable
    {
        /// <summary>The schema version in <c>PRAGMA user_version</c>.</summary>
        public const int SchemaVersion = 2;

        private const string Schema = @"
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  command TEXT NOT NULL,
  batch TEXT,
  law TEXT NOT NULL,
  law_sha256 TEXT,
  law_file TEXT,
  task TEXT NOT NULL,
  seed INTEGER NOT NULL,
  steps INTEGER NOT NULL,
  settings TEXT NOT NULL,
  ablated TEXT NOT NULL,
  status TEXT NOT NULL,
  steps_taken INTEGER NOT NULL,
  steps_to_target INTEGER,
  target_loss REAL,
  optimum_loss REAL,
  initial_loss REAL,
  final_loss REAL,
  auc REAL,
  incidents INTEGER NOT NULL,
  incident_list TEXT NOT NULL,
  signal_names TEXT NOT NULL,
  steps_stored INTEGER NOT NULL,
  run_key TEXT
);
CREATE TABLE IF NOT EXISTS steps (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  loss REAL,
  signals TEXT NOT NULL,
  PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS runs_by_batch ON runs(batch);
CREATE TABLE IF NOT EXISTS batches (
  batch TEXT PRIMARY KEY,
  command TEXT NOT NULL,
  runs INTEGER NOT NULL,
  state TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
";

        /// <summary>Version 1 to 2: the run key, unique within a batch.</summary>
        private const string AddRunKey = "ALTER TABLE runs ADD COLUMN run_key TEXT;";

        private const string RunKeyIndex = "CREATE UNIQUE INDEX IF NOT EXISTS runs_by_key ON runs(batch, run_key) WHERE run_key IS NOT NULL;";

        private readonly SqliteConnection _connection;

        private readonly Action? _waiting;

        private RunStore(string path, SqliteConnection connection, Action? waiting)
        {
            Path = path;
            _connection = connection;
            _waiting = waiting;
        }

        /// <summary>The database file (absolute).</summary>
        public string Path { get; }

        /// <summary>How long a write waits for another process to release the database.</summary>
        public const int LockTimeoutSeconds = 300;

        /// <summary>How long taking the database's lock may take before the store says it is waiting (and goes on waiting).</summary>
        private const int NoticeSeconds = 2;

        /// <summary>
        /// Runs <paramref name="acquire"/>, a step that takes the database's lock (a transaction's start, its commit, a read),
        /// and calls <paramref name="waiting"/> if it has not returned after <see cref="NoticeSeconds"/>: a command that waits
        /// minutes for another process says why rather than seem to hang. Only these steps are timed, never the inserts
        /// between them, so a long store does not read as a wait. SQLite itself waits (its busy timeout,
        /// <see cref="LockTimeoutSeconds"/>), keeping the locks it holds meanwhile.
        /// </summary>
        private static T Locking<T>(Action? waiting, Func<T> acquire)
        {
            if (waiting is null) return acquire();
            using var notice = new System.Threading.Timer(_ => waiting(), null, NoticeSeconds * 1000, System.Threading.Timeout.Infinite);
            return acquire();
        }

        /// <summary><see cref="Locking{T}"/> for a step with no result (a commit).</summary>
        private static void Locking(Action? waiting, Action acquire) => Locking(waiting, () =>
        {
            acquire();
            return true;
        });

        /// <summary><paramref name="action"/> run the first time only, whichever thread calls: a store says once that it waits.</summary>
        private static Action? Once(Action? action)
        {
            if (action is null) return null;
            int done = 0;
            return () =>
            {
                if (System.Threading.Interlocked.Exchange(ref done, 1) == 0) action();
            };
        }

        /// <summary>
        /// Refuses a path that cannot be a run store's file, a folder or a file in a folder that does not exist, with a
        /// <see cref="EngineException"/>: a command checks its database path this way before it does any work.
        /// </summary>
        public static void CheckPath(string path)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            // SQLite says only 'unable to open database file' (error 14) of a folder.
            if (Directory.Exists(path))
                throw new EngineException("cannot open the database '" + path + "': it is a folder; name the run store's file in it, such as " + System.IO.Path.Combine(path, "ae-runs.db"));
            string? dir = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir)) throw new EngineException("cannot open the database '" + path + "': the folder " + dir + " does not exist");
        }

        /// <summary>Opens (creating when missing) the database at <paramref name="path"/>; a file that is not a database is a <see cref="EngineException"/>.</summary>
        /// <param name="waiting">called once when a write has waited a while for another process to release the database</param>
        public static RunStore Open(string path, Action? waiting = null)
        {
            CheckPath(path);
            // A command waits up to DefaultTimeout seconds on another process's lock (SQLite's busy timeout; 30 by default): a
            // finished run is stored once the other writer lets go, rather than lost to a reader that held the file a while.
            var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = LockTimeoutSeconds };
            var connection = new SqliteConnection(builder.ToString());
            waiting = Once(waiting);
            try
            {
                connection.Open();
                Execute(connection, "PRAGMA foreign_keys = ON;");
                CreateSchema(connection, path, waiting);
                return new RunStore(path, connection, waiting);
            }
            catch (SqliteException ex)
            {
                connection.Dispose();
                throw new EngineException("cannot use the database '" + path + "': " + ex.Message.Replace('\n', ' '), ex);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>The run store's tables, made or brought to <see cref="SchemaVersion"/> in one transaction.</summary>
        private static void CreateSchema(SqliteConnection connection, string path, Action? waiting)
        {
            using var tx = Locking(waiting, () => connection.BeginTransaction());
            RefuseAnotherDatabase(connection, path, tx);
            Execute(connection, Schema, tx);
            long version = Scalar(connection, "PRAGMA user_version;", tx);
            if (version == 1)
            {
                Execute(connection, AddRunKey, tx);
                version = 0;
            }
            Execute(connection, RunKeyIndex, tx);
            if (version != 0 && version != SchemaVersion)
                throw new EngineException("the database '" + path + "' has schema version " + version + "; this ae writes version " + SchemaVersion + " (use another --db)");
            // Written even when it holds the version already: a file SQLite could only open read-only (its permissions, an
            // immutable flag) fails here, before the runs, rather than when their results are to be stored.
            Execute(connection, "PRAGMA user_version = " + SchemaVersion.ToString(CultureInfo.InvariantCulture) + ";", tx);
            Locking(waiting, tx.Commit);
        }

        /// <summary>
        /// A database of another program (tables, none of them the run store's) is left as it is: adding the run store's
        /// tables to it would change a file that is not ae's.
        /// </summary>
        private static void RefuseAnotherDatabase(SqliteConnection connection, string path, SqliteTransaction tx)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
            var tables = new List<string>();
            using (var reader = command.ExecuteReader())
                while (reader.Read()) tables.Add(reader.GetString(0));
            if (tables.Count == 0 || tables.Contains("runs")) return;
            throw new EngineException("the database '" + path + "' is not a run store: it holds other tables (" + string.Join(", ", tables.Take(5)) + (tables.Count > 5 ? ", ..." : "")
                + ") and no runs; use another --db");
        }

        /// <summary>
        /// Records that <paramref name="batch"/> of <paramref name="command"/> begins to be stored, <paramref name="runs"/> runs
        /// in all, in state <see cref="BatchState.Storing"/>; <see cref="EndBatch"/> records how it ended. Until then the batch
        /// reads as incomplete, which it is if the process ends first.
        /// </summary>
        public void BeginBatch(string batch, string command, long runs)
        {
            if (batch is null) throw new ArgumentNullException(nameof(batch));
            if (command is null) throw new ArgumentNullException(nameof(command));
            Write(tx =>
            {
                using var insert = _connection.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = @"INSERT INTO batches (batch, command, runs, state, started_at, finished_at) VALUES ($batch, $command, $runs, $state, $started, NULL)
  ON CONFLICT (batch) DO UPDATE SET runs = excluded.runs, state = excluded.state, finished_at = NULL;";
                insert.Parameters.AddWithValue("$batch", batch);
                insert.Parameters.AddWithValue("$command", command);
                insert.Parameters.AddWithValue("$runs", runs);
                insert.Parameters.AddWithValue("$state", BatchState.Storing);
                insert.Parameters.AddWithValue("$started", Timestamp(DateTime.UtcNow));
                insert.ExecuteNonQuery();
            });
        }

        /// <summary>Records that every run of <paramref name="batch"/> that came back is stored, and how the batch ended (<see cref="BatchState"/>).</summary>
        public void EndBatch(string batch, string state)
        {
            if (batch is null) throw new ArgumentNullException(nameof(batch));
            if (state is not (BatchState.Complete or BatchState.Interrupted or BatchState.Stopped))
                throw new ArgumentOutOfRangeException(nameof(state), state, "a batch ends complete, interrupted or stopped");
            Write(tx =>
            {
                using var update = _connection.CreateCommand();
                update.Transaction = tx;
                update.CommandText = "UPDATE batches SET state = $state, finished_at = $finished WHERE batch = $batch;";
                update.Parameters.AddWithValue("$batch", batch);
                update.Parameters.AddWithValue("$state", state);
                update.Parameters.AddWithValue("$finished", Timestamp(DateTime.UtcNow));
                update.ExecuteNonQuery();
            });
        }

        /// <summary>A statement in a transaction of its own; a failure is an <see cref="EngineException"/> naming the database.</summary>
        private void Write(Action<SqliteTransaction> statement)
        {
            try
            {
                using var tx = Locking(_waiting, () => _connection.BeginTransaction());
                statement(tx);
                Locking(_waiting, tx.Commit);
            }
            catch (SqliteException ex)
            {
                throw new EngineException("cannot write to the database '" + Path + "': " + ex.Message.Replace('\n', ' '), ex);
            }
        }

        /// <summary>The id of the run stored without a batch under <paramref name="key"/> (<see cref="RunRecord.Key"/>), or null.</summary>
        public long? IdOf(string key)
        {
            if (key is null) throw new ArgumentNullException(nameof(key));
            try
            {
                return Locking(_waiting, () =>
                {
                    using var command = _connection.CreateCommand();
                    command.CommandText = "SELECT id FROM runs WHERE batch IS NULL AND run_key = $key;";
                    command.Parameters.AddWithValue("$key", key);
                    return command.ExecuteScalar() is long id ? id : (long?)null;
                });
            }
            catch (SqliteException ex)
            {
                throw new EngineException("cannot read the database '" + Path + "': " + ex.Message.Replace('\n', ' '), ex);
            }
        }

        /// <summary>The id the next stored run gets (ids are never reused).</summary>
        public long NextId()
        {
            try
            {
                return Locking(_waiting, () => Scalar(_connection, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'runs'), 0) + 1;"));
            }
            catch (SqliteException ex)
            {
                throw new EngineException("cannot read the database '" + Path + "': " + ex.Message.Replace('\n', ' '), ex);
            }
        }

        /// <summary>Stores one run (and its steps when asked) in one transaction; returns its id.</summary>
        public long Save(RunRecord record) => Save(record, out _);

        /// <summary>
        /// Stores one run (and its steps when asked) in one transaction; returns its id, and in <paramref name="replaced"/> the id
        /// of the row it replaced: a run saved again under the same batch and <see cref="RunRecord.Key"/>, or null.
        /// </summary>
        public long Save(RunRecord record, out long? replaced)
        {
            if (record is null) throw new ArgumentNullException(nameof(record));
            try
            {
                return Insert(record, out replaced);
            }
            catch (SqliteException ex)
            {
                throw new EngineException("cannot write to the database '" + Path + "': " + ex.Message.Replace('\n', ' '), ex);
            }
        }

        private long Insert(RunRecord record, out long? replaced)
        {
            var run = record.Run;
            replaced = null;
            using var tx = Locking(_waiting, () => _connection.BeginTransaction());
            if (record.Key is string key)
            {
                // A run redone under the same batch and key (a cluster's batch redone on another worker, a resumed run stored
                // before) replaces the first, with its steps.
                using var delete = _connection.CreateCommand();
                delete.Transaction = tx;
                delete.CommandText = "DELETE FROM runs WHERE batch IS $batch AND run_key = $key RETURNING id;";
                delete.Parameters.AddWithValue("$batch", (object?)record.Batch ?? DBNull.Value);
                delete.Parameters.AddWithValue("$key", key);
                using var deleted = delete.ExecuteReader();
                while (deleted.Read()) replaced = deleted.GetInt64(0);
            }
            long id;
            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = @"INSERT INTO runs (started_at, finished_at, command, batch, law, law_sha256, law_file, task, seed, steps, settings, ablated,
  status, steps_taken, steps_to_target, target_loss, optimum_loss, initial_loss, final_loss, auc, incidents, incident_list, signal_names, steps_stored, run_key)
VALUES ($started, $finished, $command, $batch, $law, $sha, $file, $task, $seed, $steps, $settings, $ablated,
  $status, $taken, $to_target, $target, $optimum, $initial, $final, $auc, $incidents, $incident_list, $signal_names, $stored, $key);
SELECT last_insert_rowid();";
                insert.Parameters.AddWithValue("$started", Timestamp(record.StartedAt));
                insert.Parameters.AddWithValue("$finished", Timestamp(record.FinishedAt));
                insert.Parameters.AddWithValue("$command", record.Command);
                insert.Parameters.AddWithValue("$batch", (object?)record.Batch ?? DBNull.Value);
                insert.Parameters.AddWithValue("$law", record.Law);
                insert.Parameters.AddWithValue("$sha", (object?)record.LawSha256 ?? DBNull.Value);
                insert.Parameters.AddWithValue("$file", (object?)record.LawFile ?? DBNull.Value);
                insert.Parameters.AddWithValue("$task", record.Task);
                insert.Parameters.AddWithValue("$seed", checked((long)record.Seed));
                insert.Parameters.AddWithValue("$steps", run.MaxSteps);
                insert.Parameters.AddWithValue("$settings", record.SettingsJson);
                insert.Parameters.AddWithValue("$ablated", string.Join(",", record.Ablated));
                insert.Parameters.AddWithValue("$status", record.Status);
                insert.Parameters.AddWithValue("$taken", run.StepsTaken);
                insert.Parameters.AddWithValue("$to_target", run.StepsToTarget is long s ? s : DBNull.Value);
                insert.Parameters.AddWithValue("$target", Real(run.TargetLoss));
                insert.Parameters.AddWithValue("$optimum", run.OptimumLoss is double o ? Real(o) : DBNull.Value);
                insert.Parameters.AddWithValue("$initial", Real(run.InitialLoss));
                insert.Parameters.AddWithValue("$final", Real(run.FinalLoss));
                insert.Parameters.AddWithValue("$auc", Real(run.Auc));
                insert.Parameters.AddWithValue("$incidents", run.IncidentCount);
                insert.Parameters.AddWithValue("$incident_list", IncidentsJson(run.Incidents));
                insert.Parameters.AddWithValue("$signal_names", "[" + string.Join(",", run.Log.SignalNames.Select(Json.String)) + "]");
                insert.Parameters.AddWithValue("$stored", record.StoreSteps ? 1 : 0);
                insert.Parameters.AddWithValue("$key", (object?)record.Key ?? DBNull.Value);
                id = (long)insert.ExecuteScalar()!;
            }
            if (record.StoreSteps) InsertSteps(id, run.Log, tx);
            Locking(_waiting, tx.Commit);   // the commit waits for readers to let go of the file
            return id;
        }

        private void InsertSteps(long id, RunLog log, SqliteTransaction tx)
        {
            using var insert = _connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO steps (run_id, step, loss, signals) VALUES ($run, $step, $loss, $signals);";
            var pRun = insert.Parameters.Add("$run", SqliteType.Integer);
            var pStep = insert.Parameters.Add("$step", SqliteType.Integer);
            var pLoss = insert.Parameters.Add("$loss", SqliteType.Real);
            var pSignals = insert.Parameters.Add("$signals", SqliteType.Text);
            insert.Prepare();
            pRun.Value = id;

            var names = log.SignalNames;
            var keys = names.Select(n => Json.String(n) + ":").ToArray();
            bool signals = log.RecordsSignals;
            var sb = new StringBuilder(32 * Math.Max(1, names.Count));
            for (int row = 0; row < log.Count; row++)
            {
                sb.Clear().Append('{');
                if (signals)
                    for (int i = 0; i < keys.Length; i++)
                    {
                        if (i > 0) sb.Append(',');
                        sb.Append(keys[i]).Append(Json.Number(log.Signal(row, i)));
                    }
                sb.Append('}');
                pStep.Value = log.FirstStep + row;
                pLoss.Value = Real(log.Loss(row));
                pSignals.Value = sb.ToString();
                insert.ExecuteNonQuery();
            }
        }

        private static string IncidentsJson(IReadOnlyList<Incident> incidents)
            => "[" + string.Join(",", incidents.Select(i => "{\"step\":" + i.Step.ToString(CultureInfo.InvariantCulture) + ",\"kind\":" + Json.String(i.Kind.ToString())
                + ",\"value\":" + Json.Number(i.Value) + ",\"message\":" + Json.String(i.Message) + "}")) + "]";

        /// <summary>A real column's value: SQLite holds ±inf (a loss that diverged) but turns NaN into NULL, so NaN is NULL.</summary>
        private static object Real(double v) => double.IsNaN(v) ? DBNull.Value : v;

        private static string Timestamp(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        private static long Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        public void Dispose() => _connection.Dispose();
    }
}
