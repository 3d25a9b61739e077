using System;
using System.Globalization;
using System.Collections.Generic;
using AE.Cluster;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae worker --cluster SPEC [--worker K]</c>: a worker of a cluster (an Orleans silo) that runs the batches of
    /// <c>ae sweep</c> and <c>ae ablate</c> given <c>--cluster SPEC</c>, until Ctrl-C.
    /// </summary>
    public static class WorkerCommand
    {
        public const string Name = "worker";

        public static CliCommand Command { get; } = new(Name, Usage.WorkerSummary, Usage.Worker, Run);

        /// <summary>What the command line asks of the worker.</summary>
        internal sealed record WorkerOptions(ClusterSpec Cluster, int Index);

        private static readonly IReadOnlyDictionary<string, string> ValueOptions = new Dictionary<string, string>
        {
            [ClusterOption.Name] = ClusterOption.Expected,
            ["--worker"] = "the worker's index K (0 for the primary)",
        };

        internal static WorkerOptions? Parse(string[] args, CliContext context)
        {
            var parsed = ParsedArguments.Parse(args, Name, ValueOptions, Array.Empty<string>(), "empty argument", Array.Empty<string>());
            if (parsed.ShowHelp)
            {
                context.Stdout.Write(Usage.Worker);
                return null;
            }
            if (parsed.Positionals.Count > 0) throw CliException.BadUsage("unexpected argument '" + parsed.Positionals[0] + "'", Name);
            string spec = parsed.Value(ClusterOption.Name) ?? throw CliException.BadUsage("no cluster; give --cluster localhost (or localhost:PORT)", Name);
            int index = (int)(Experiment.PositiveInt(parsed, "--worker", Name, max: ClusterSpec.MaxWorker, min: 0) ?? 0);
            return new WorkerOptions(ClusterOption.Parse(spec, Name), index);
        }

        public static int Run(string[] args, CliContext context)
        {
            if (context is null) throw new ArgumentNullException(nameof(context));
            if (Parse(args, context) is not WorkerOptions options) return ExitCodes.Success;
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
            catch (Exception ex) when (ex is Orleans.Runtime.OrleansException or System.Net.Sockets.SocketException or System.IO.IOException)
            {
                throw new CliException("cannot start worker " + options.Index.ToString(CultureInfo.InvariantCulture) + " of the cluster " + options.Cluster
                    + " (ports " + options.Cluster.SiloPort(options.Index).ToString(CultureInfo.InvariantCulture) + " and " + options.Cluster.GatewayPort(options.Index).ToString(CultureInfo.InvariantCulture)
                    + "): " + ex.Message.Split('\n')[0].TrimEnd('\r'), ex);
            }
            return ExitCodes.Success;
        }
    }
}
