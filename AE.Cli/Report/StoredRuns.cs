using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Engine;
using Microsoft.Data.Sqlite;

namespace AE.Cli.Report
{
    /// <summary>A row of the run store's <c>runs</c> table, as <c>ae report</c> shows it (<see cref="RunStore"/> has the columns' meanings).</summary>
    internal sealed record StoredRun(long Id, string StartedAt, string Command, string? Batch, string Law, string Task, long Seed, long Budget,
        string Settings, string Ablated, string Status, long StepsTaken, long? StepsToTarget, double? TargetLoss, double? OptimumLoss,
        double? InitialLoss, double? FinalLoss, double? Auc, long Incidents, IReadOnlyList<string> SignalNames, bool StepsStored);

    /// <summary>A row of the run store's <c>batches</c> table: how many runs the batch stores when whole, and how its storing ended (<see cref="BatchState"/>).</summary>
    internal sealed record StoredBatch(string Batch, string Command, long Runs, string State);

    /// <summary>The steps of one stored run: the loss handed to each law step, and the signals that are plotted, by name; <paramref name="First"/> the number of the first (a resumed training's rows start after its checkpoint's epochs).</summary>
    internal sealed record StoredSteps(double[] Loss, IReadOnlyDictionary<string, double[]> Signals, long First = 1);

    /// <summary>
    /// A run store (the SQLite database <c>ae run</c>, <c>ablate</c>, <c>sweep</c>, <c>swarm</c> and <c>train</c>
    /// write, <see cref="RunStore"/>) opened read-only: nothing is created, not even a missing file, and nothing changed but the
    /// rollback of the journal a killed writer left (<see cref="RollBackUnfinishedWrite"/>), which the next writer would make.
    /// </summary>
    internal sealed class StoredRuns : IDisposable
    {
        private readonly SqliteConnection _connection;

        private readonly bool _hasBatches;

        /// <summary>How long a read waits for a writer that holds the store locked.</summary>
        public const int LockWaitSeconds = 30;

        /// <summary>A store another process held locked past <see cref="LockWaitSeconds"/> (SQLITE_BUSY), in one line.</summary>
        public static CliException Locked(string path, SqliteException ex)
            => new("the run store '" + path + "' is locked by another process (waited " + LockWaitSeconds + " s); try again once it is done", ex);

        private readonly string _path;

        private StoredRuns(SqliteConnection connection, bool hasBatches, string path)
        {
            _connection = connection;
            _hasBatches = hasBatches;
            _path = path;
        }

        /// <summary>Opens <paramref name="path"/>; a missing file, a file that is not SQLite or a database without the run store's tables and schema version is a <see cref="CliException"/>.</summary>
        public static StoredRuns Open(string path) => Open(path, recovered: false);

        /// <summary>Opens the store for writing once, so that SQLite rolls back the journal a killed writer left.</summary>
        private static void RollBackUnfinishedWrite(string path)
        {
            var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = LockWaitSeconds };
            try
            {
                using var connection = new SqliteConnection(builder.ToString());
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM sqlite_master;";
                command.ExecuteScalar();
            }
            catch (SqliteException ex)
            {
                if (ex.SqliteErrorCode == 5) throw Locked(path, ex);
                throw new CliException("'" + path + "' holds the unfinished write of a process that ended (its " + Path.GetFileName(path)
                    + "-journal), and it could not be rolled back here (" + ex.Message.Replace('\n', ' ') + "); an ae command that writes to it, run where the file can be written, rolls it back", ex);
            }
        }

        private static StoredRuns Open(string path, bool recovered)
        {
            if (Directory.Exists(path)) throw new CliException("'" + path + "' is a folder; name the run store's file in it, such as " + Path.Combine(path, "ae-runs.db"));
            if (!File.Exists(path)) throw new CliException("no database '" + path + "'");
            var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = LockWaitSeconds };
            var connection = new SqliteConnection(builder.ToString());
            try
            {
                connection.Open();
                var tables = new HashSet<string>(StringComparer.Ordinal);
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table';";
                    using var reader = command.ExecuteReader();
                    while (reader.Read()) tables.Add(reader.GetString(0));
                }
                if (!tables.Contains("runs") || !tables.Contains("steps"))
                    throw new CliException("'" + path + "' is not a run store: it has no runs and steps tables (ae run --db writes one)");
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = "PRAGMA user_version;";
                    long version = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
                    // Version 2 only added the run key, which the report does not show: a version 1 store reads the same.
                    if (version < 1 || version > RunStore.SchemaVersion)
                        throw new CliException("the database '" + path + "' has schema version " + version.ToString(CultureInfo.InvariantCulture)
                            + "; this ae reads versions 1 to " + RunStore.SchemaVersion.ToString(CultureInfo.InvariantCulture));
                }
                return new StoredRuns(connection, tables.Contains("batches"), path);
            }
            catch (SqliteException ex)
            {
                connection.Dispose();
                // SQLITE_NOTADB (26): say it in words, not as SQLite's error number.
                // SQLITE_BUSY (5): another process holds the store locked past the wait; that says nothing against the file.
                if (ex.SqliteErrorCode == 5) throw Locked(path, ex);
                // SQLITE_READONLY (8) beside a journal: a writer was killed mid-write (a hot journal), and only a connection that
                // may write can roll it back. That restores the store as it was before the unfinished write, as any writer would.
                if (ex.SqliteErrorCode == 8 && File.Exists(path + "-journal") && !recovered)
                {
                    RollBackUnfinishedWrite(path);
                    return Open(path, recovered: true);
                }
                throw new CliException("'" + path + "' is not a run store: " + (ex.SqliteErrorCode == 26 ? "not an SQLite database" : ex.Message.Replace('\n', ' ')), ex);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>Every run, in the order they were stored.</summary>
        public IReadOnlyList<StoredRun> Runs()
        {
            using var command = _connection.CreateCommand();
            command.CommandText = @"SELECT id, started_at, command, batch, law, task, seed, steps, settings, ablated, status, steps_taken, steps_to_target,
  target_loss, optimum_loss, initial_loss, final_loss, auc, incidents, signal_names, steps_stored FROM runs ORDER BY id;";
            var runs = new List<StoredRun>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long id = reader.GetInt64(0);
                double? Number(int i) => Real(reader, i, "run " + id.ToString(CultureInfo.InvariantCulture) + "'s " + reader.GetName(i));
                runs.Add(new StoredRun(id, reader.GetString(1), reader.GetString(2), Text(reader, 3), reader.GetString(4), reader.GetString(5),
                    reader.GetInt64(6), reader.GetInt64(7), reader.GetString(8), reader.GetString(9), reader.GetString(10), reader.GetInt64(11),
                    reader.IsDBNull(12) ? null : reader.GetInt64(12), Number(13), Number(14), Number(15), Number(16), Number(17),
                    reader.GetInt64(18), Names(reader.GetString(19)), reader.GetInt64(20) != 0));
            }
            return runs;
        }

        /// <summary>The batches the store records (none in a store written before it recorded them), by batch id.</summary>
        public IReadOnlyDictionary<string, StoredBatch> Batches()
        {
            var batches = new Dictionary<string, StoredBatch>(StringComparer.Ordinal);
            if (!_hasBatches) return batches;
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT batch, command, runs, state FROM batches ORDER BY started_at, batch;";
            using var reader = command.ExecuteReader();
            while (reader.Read()) batches[reader.GetString(0)] = new StoredBatch(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3));
            return batches;
        }

        /// <summary>The stored steps of run <paramref name="id"/>, with the signals among <paramref name="signals"/> (NaN where a value is not a number).</summary>
        public StoredSteps Steps(long id, IReadOnlyList<string> signals)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT loss, signals, step FROM steps WHERE run_id = $id ORDER BY step;";
            command.Parameters.AddWithValue("$id", id);
            var loss = new List<double>();
            long first = 1;
            var columns = signals.ToDictionary(s => s, _ => new List<double>(), StringComparer.Ordinal);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (loss.Count == 0) first = reader.GetInt64(2);
                loss.Add(Real(reader, 0, "the loss of run " + id.ToString(CultureInfo.InvariantCulture) + " at step " + reader.GetInt64(2).ToString(CultureInfo.InvariantCulture)) ?? double.NaN);
                if (columns.Count == 0) continue;
                using var json = JsonDocument.Parse(reader.GetString(1));
                foreach (var (name, column) in columns)
                    column.Add(json.RootElement.TryGetProperty(name, out var value) ? Number(value) : double.NaN);
            }
            return new StoredSteps(loss.ToArray(), columns.ToDictionary(c => c.Key, c => c.Value.ToArray(), StringComparer.Ordinal), first);
        }

        /// <summary>A signal's value as the store writes it: a number, or "NaN", "Infinity", "-Infinity".</summary>
        private static double Number(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String => value.GetString() switch
            {
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => double.NaN,
            },
            _ => double.NaN,
        };

        private static IReadOnlyList<string> Names(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToList();
        }

        private static string? Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

        /// <summary>
        /// A number of the store, or null where it holds none. A value that is no number (text or bytes in a column of
        /// numbers, which no writer of the store leaves) is the store's damage, said in one line: read as a number it was 0.
        /// </summary>
        private double? Real(SqliteDataReader reader, int i, string what)
        {
            if (reader.IsDBNull(i)) return null;
            var type = reader.GetFieldType(i);
            if (type == typeof(double) || type == typeof(long)) return reader.GetDouble(i);
            string shown = type == typeof(string) ? "'" + Printable(reader.GetString(i)) + "'" : "a value of bytes";
            throw new CliException("the run store '" + _path + "' is damaged: " + what + " is " + shown + ", not a number");
        }

        /// <summary>Text of the store fit for a one-line message: control characters as '?', at most 40 characters.</summary>
        private static string Printable(string text)
        {
            var shown = new string(text.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());
            return text.Length > 40 ? shown + "..." : shown;
        }

        public void Dispose() => _connection.Dispose();
    }
}
