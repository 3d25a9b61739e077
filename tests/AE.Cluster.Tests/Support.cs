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

        /// <summary>
        /// A base port for a localhost cluster of this test (ports PORT .. PORT+299): each call of the run takes the next
        /// block (a block used twice could still hold the first silo's closing connections: "address already in use"),
        /// from a random first one so that another run is unlikely to share them, all below Linux's ephemeral ports
        /// (32768 and up), where a client connection's own port could take a silo's.
        /// </summary>
        public static int FreshPort() => 20000 + 300 * (int)((uint)Interlocked.Increment(ref _block) % Blocks);

        private const int Blocks = (32768 - 20000) / 300;   // 42 blocks; the suite uses fewer than 30

        private static int _block = Random.Shared.Next(0, Blocks);
    }
}
