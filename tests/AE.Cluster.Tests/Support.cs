using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using AE.Cli;
using Microsoft.Data.Sqlite;

namespace AE.Cluster.Tests
{
    internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StderrLines => Stderr.Split(new[] { "\r\n", "\n" }, StringSplitOptions.RemoveEmptyEntries);
    }

    internal static class Support
    {
        public static string Root { get; } = FindRoot();

        public static string SgdmLaw => Path.Combine(Root, "laws", "ae_sgdm.ae");

        /// <summary>Runs ae in this process.</summary>
        public static CliResult Ae(string directory, params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            int exit = CliApp.Run(args, new CliContext(stdout, stderr, directory) { Cancellation = CancellationToken.None });
            return new CliResult(exit, stdout.ToString(), stderr.ToString());
        }

        /// <summary>A base port for a localhost cluster of this test (ports PORT .. PORT+299), unlikely to clash with another run's.</summary>
        public static int FreshPort() => 20000 + 300 * Random.Shared.Next(0, 100);

        public static long Scalar(string db, string sql) => Convert.ToInt64(Query(db, sql), System.Globalization.CultureInfo.InvariantCulture);

        public static string Text(string db, string sql) => Convert.ToString(Query(db, sql), System.Globalization.CultureInfo.InvariantCulture) ?? "";

        private static object? Query(string db, string sql)
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            c.Open();
            using var command = c.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteScalar();
        }

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("AE.Compiler.sln not found above " + AppContext.BaseDirectory);
        }
    }

    internal sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ae-cluster-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
