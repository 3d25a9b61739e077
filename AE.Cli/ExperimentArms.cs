using System;
using System.Collections.Generic;
using System.Linq;
using AE.Cluster;
using AE.Engine;
using AE.Experiments.Machine;
using AE.Experiments.Menu;
using AE.Experiments.Tasks;

namespace AE.Cli
{
    /// <summary>
    /// An arm of an experiment item with what a cluster's worker needs to build it: the law it is of (null for a
    /// baseline) and its recipe (the rule switched off and the initial rate, or the baseline at a rate).
    /// </summary>
    internal sealed record ExperimentArm(Arm Arm, ExperimentLaw? Law, JobRecipe Recipe, BaselineSpec? Baseline);

    /// <summary>
    /// Where an item's arms run: each on this process as <see cref="ArmComparison"/> runs it, or, with <c>--cluster</c>,
    /// each arm's seeds as one batch on the cluster's workers (<see cref="ClusterExecutor"/>), its runs handed back whole
    /// in seed order: the same runs, so the same tables, files and verdict.
    /// </summary>
    internal sealed class ExperimentArms(ClusterExecutor? cluster, CliContext context)
    {
        /// <summary>Thrown when Ctrl-C left an arm's runs undone on the cluster: there is nothing to judge.</summary>
        internal sealed class Interrupted() : Exception("interrupted");

        public bool OnCluster => cluster is not null;

        public ArmResult Run(ExperimentArm arm, string task, int seeds, MachineOptions options, Func<MachineRun, double>? measure = null)
        {
            if (cluster is null) return ArmComparison.Run(arm.Arm, () => TaskCatalog.Create(task), seeds, options, measure, context.Cancellation);
            var source = TaskSource.FromCatalog(task);
            string settings = arm.Law?.SettingsJson() ?? arm.Baseline!.SettingsJson(arm.Recipe.Value);
            var jobs = Enumerable.Range(0, seeds).Select(s => new BatchJob(source, arm.Recipe, (ulong)s, options.MaxSteps, arm.Law?.Name ?? arm.Baseline!.Name,
                arm.Law?.Sha256, arm.Law?.FilePath, settings)).ToList();
            var baselines = arm.Baseline is null ? Array.Empty<BaselineSpec>() : new[] { arm.Baseline };
            var batch = new BatchSpec(ExperimentCommand.Name, BatchRunner.NewBatchId(ExperimentCommand.Name), arm.Law?.Source, baselines, jobs, options.RecordSignals) { KeepLogs = true };
            IReadOnlyList<JobOutcome?> outcomes;
            try
            {
                outcomes = cluster.Execute(batch, new BatchMethods(arm.Law, baselines), (_, _) => { }, context.Cancellation);
            }
            catch (BatchStoppedException ex)
            {
                // An experiment stores no runs and judges only whole arms: what came back of this one is of no use.
                throw new EngineException(ex.Message, ex);
            }
            if (outcomes.Any(o => o is null)) throw new Interrupted();
            var runs = outcomes.Select(o => o!.Run).ToList();
            return new ArmResult(arm.Arm.Name, runs[0].TaskName, runs, runs.Select(r => measure?.Invoke(r) ?? double.NaN).ToList());
        }

        /// <summary>Why item <paramref name="id"/> cannot run on a cluster, or null when it can.</summary>
        public static string? NotOnCluster(string id) => id switch
        {
            "D" => "item D runs its conditions on tasks made for it (the loss scaled, the gradient noise set), which a worker cannot build from a catalog name",
            "F" => "item F sets two params of the law per cell (init_alpha and init_mu), and a batch's recipe sets one",
            _ => null,
        };
    }
}
