using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using AE.Experiments.Machine;
using Microsoft.Data.Sqlite;

namespace AE.Cli.Tests
{
    /// <summary>Helpers for the tests of <c>ae run</c>, <c>ae ablate</c> and <c>ae sweep</c>.</summary>
    internal static class Experiments
    {
        /// <summary>Runs <c>ae</c> in-process with a cancellation token and a run observer.</summary>
        public static CliResult Run(string directory, CancellationToken cancellation, Action<MachineProgress>? observer, params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var context = new CliContext(stdout, stderr, directory) { Cancellation = cancellation, RunObserver = observer };
            int exit = CliApp.Run(args, context);
            return new CliResult(exit, stdout.ToString(), stderr.ToString());
        }

        public static SqliteConnection Open(string path)
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            return connection;
        }

        public static long Scalar(string db, string sql)
        {
            using var connection = Open(db);
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public static string Text(string db, string sql)
        {
            using var connection = Open(db);
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }

        public static List<object?[]> Rows(string db, string sql)
        {
            using var connection = Open(db);
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
            }
            return rows;
        }

        /// <summary>The switchable rules of AeSgdm (laws/ae_sgdm.ae), in the law's order.</summary>
        public static readonly string[] SgdmRules = { "brake", "AE8", "AE2", "AE4", "AE6", "AE3", "AE5" };
    }
}
