using System;
using System.Globalization;
using AE.Cluster;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae worker --cluster SPEC [--worker K]</c>: a worker of a cluster (an Orleans silo) that runs the runs of
    /// <c>ae sweep</c>, <c>ae ablate</c>, <c>ae swarm</c> and <c>ae experiment run</c> given <c>--cluster SPEC</c>, until Ctrl-C.
    /// </summary>
    public static class WorkerCommand
    {
        public const string Name = "worker";

        public static CommandSpec Command { get; } = new(Name, "Run a worker of a cluster that runs the runs of ae sweep, ae ablate, ae swarm and ae experiment run", Run)
        {
            StopsOnInterrupt = true,
            Options = new[]
            {
                new OptionSpec(ClusterOption.Name, ClusterOption.Expected,
                    "localhost or localhost:PORT (default port 11111): workers on this machine. Worker K listens on PORT+2K (silos) and "
                    + "PORT+2K+1 (clients); worker 0 keeps the membership and the clients connect to it, so start it first.") { HelpName = "SPEC" },
                new OptionSpec("--worker", "the worker's index K (0 for the primary)", "The worker's index, 0 to 99 (default 0).") { HelpName = "K" }
                    .WholeNumber(max: ClusterSpec.MaxWorker, min: 0),
            },
            Details = new[]
            {
                "Runs a worker of a cluster (an Orleans silo) until Ctrl-C or SIGTERM. 'ae sweep',",
                "'ae ablate', 'ae swarm' and 'ae experiment run' given --cluster SPEC run their",
                "runs on the cluster's workers (a batch's parts on every core of a worker, a swarm",
                "one population per method and seed) and print what they print without it.",
                "The law files and --case files must be at the same paths on every worker.",
                "",
                "Output: a line when the worker is up, then a line per part of a batch or swarm",
                "population it runs.",
                "See docs/cluster.md for a cluster of several machines.",
                "",
                "A worker whose cluster no longer counts it as a member (worker 0 was",
                "restarted, or the others declared it dead) stops with one line: start it again.",
                "",
                "Exit codes: 0 stopped by Ctrl-C or SIGTERM; 2 bad input, the ports are taken,",
                "or the worker left the cluster.",
            },
        };

        /// <summary>What the command line asks of the worker.</summary>
        internal sealed record WorkerOptions(ClusterSpec Cluster, int Index);

        internal static WorkerOptions ToOptions(CommandInput parsed)
        {
            string spec = parsed.Value(ClusterOption.Name) ?? throw CliException.BadUsage("no cluster; give --cluster localhost (or localhost:PORT)", Name);
            return new WorkerOptions(ClusterOption.Parse(spec, Name), (int)(parsed.Number("--worker") ?? 0));
        }

        private static int Run(CommandInput parsed, CliContext context)
        {
            var options = ToOptions(parsed);
            var gate = new object();
            void Say(string line)
            {
                lock (gate)
                {
                    context.Stdout.WriteLine(line);
                    context.Stdout.Flush();
                }
            }
            try
            {
                Worker.RunAsync(options.Cluster, options.Index, Say, context.Cancellation).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is Orleans.Runtime.OrleansException or System.Net.Sockets.SocketException or System.IO.IOException or TimeoutException
                || ex.GetType().Name == "AddressInUseException")   // the transport's own, should a port be taken between the check and the bind
            {
                throw new CliException("cannot start worker " + options.Index.ToString(CultureInfo.InvariantCulture) + " of the cluster " + options.Cluster
                    + " (ports " + options.Cluster.SiloPort(options.Index).ToString(CultureInfo.InvariantCulture) + " and " + options.Cluster.GatewayPort(options.Index).ToString(CultureInfo.InvariantCulture)
                    + "): " + MessageText.FirstLine(ex.Message), ex);
            }
            return ExitCodes.Success;
        }
    }
}
