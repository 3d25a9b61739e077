using System;
using System.Threading;
using AE.Cli.Tests;
using RunDatabase = AE.Cli.Tests.Experiments;

namespace AE.Cluster.Tests
{
    /// <summary>What the cluster tests add to AE.Cli.Tests' helpers (TempDirectory, Cli, Repo, Experiments, linked in).</summary>
    internal static class Support
    {
        /// <summary>Runs ae in this process.</summary>
        public static CliResult Ae(string directory, params string[] args) => RunDatabase.Run(directory, CancellationToken.None, null, args);

        /// <summary>A base port for a localhost cluster of this test (ports PORT .. PORT+299), unlikely to clash with another run's.</summary>
        public static int FreshPort() => 20000 + 300 * Random.Shared.Next(0, 100);
    }
}
