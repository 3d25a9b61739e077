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

        /// <summary>The cluster of <c>--cluster SPEC</c>, or null without the option; a bad SPEC is a usage error (before anything runs).</summary>
        public static ClusterSpec? Spec(string? spec, string command) => spec is null ? null : Parse(spec, command);

        /// <summary>A client of <paramref name="spec"/>, or null (no <c>--cluster</c>: the batch runs in this process).</summary>
        public static ClusterExecutor? Connect(ClusterSpec? spec, CliContext context)
            => spec is null ? null : ClusterExecutor.Connect(spec, notice => context.Stderr.WriteLine("ae: " + notice));

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
