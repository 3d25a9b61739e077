using System;
using System.Net;
using System.Net.Sockets;
using AE.Cluster;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae worker</c> that cannot start: one line and exit 2, never an internal error or a silent wait.</summary>
    public sealed class WorkerCommandTests
    {
        /// <summary>A port the system had free a moment ago (the listener on it is stopped before it is returned).</summary>
        private static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        /// <summary>A port another program holds (or a second worker 0 would share with the first): refused before the silo starts.</summary>
        [Fact]
        public void A_taken_port_is_one_line_and_exit_2()
        {
            var holder = new TcpListener(IPAddress.Loopback, 0);
            holder.Start();
            try
            {
                int port = ((IPEndPoint)holder.LocalEndpoint).Port;
                var r = Cli.Run(Environment.CurrentDirectory, "worker", "--cluster", "localhost:" + port);
                Assert.Equal(2, r.ExitCode);
                Assert.Equal(new[] { $"ae: error: cannot start worker 0 of the cluster localhost:{port} (ports {port} and {port + 1}): port {port} is taken (another worker 0 of this cluster, or another program)" }, r.StderrLines);
            }
            finally
            {
                holder.Stop();
            }
        }

        /// <summary>A worker other than 0 with no worker 0 to join gives up after the join timeout, naming what to start.</summary>
        [Fact]
        public void A_worker_with_no_primary_gives_up_in_one_line()
        {
            var before = Worker.JoinTimeout;
            Worker.JoinTimeout = TimeSpan.FromSeconds(3);
            try
            {
                int port = FreePort() - 2;   // worker 1 listens on base + 2 and base + 3
                var r = Cli.Run(Environment.CurrentDirectory, "worker", "--cluster", "localhost:" + port, "--worker", "1");
                Assert.Equal(2, r.ExitCode);
                Assert.Equal(new[] { $"ae: error: cannot start worker 1 of the cluster localhost:{port} (ports {port + 2} and {port + 3}): worker 1 found no worker 0 at port {port} within 3 s; start worker 0 first (ae worker --cluster localhost:{port})" }, r.StderrLines);
            }
            finally
            {
                Worker.JoinTimeout = before;
            }
        }
    }
}
