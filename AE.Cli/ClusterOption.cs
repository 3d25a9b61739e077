using System;
using AE.Cluster;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>The <c>--cluster SPEC</c> option of the batch commands: run the batch on a cluster's workers instead of in this process.</summary>
    internal static class ClusterOption
    {
        public const string Name = "--cluster";

        public const string Expected = "a cluster: localhost or localhost:PORT";

        /// <summary>A client of the cluster <paramref name="spec"/>, or null (no <c>--cluster</c>: the batch runs in this process).</summary>
        public static ClusterExecutor? Connect(string? spec, CliContext context, string command)
        {
            if (spec is null) return null;
            return ClusterExecutor.Connect(Parse(spec, command), notice => context.Stderr.WriteLine("ae: " + notice));
        }

        /// <summary>The executor of a batch: the cluster's when there is one, this process's otherwise.</summary>
        public static IBatchExecutor Or(ClusterExecutor? cluster) => cluster is null ? LocalExecutor.Instance : cluster;

        public static ClusterSpec Parse(string spec, string command)
        {
            try
            {
                return ClusterSpec.Parse(spec);
            }
            catch (FormatException ex)
            {
                throw CliException.BadUsage(ex.Message, command);
            }
        }
    }
}
