using System;
using System.Collections.Generic;
using System.Linq;
using AE.Experiments.Machine;

namespace AE.Cli.Plots
{
    /// <summary>The figure of one run: its loss over the steps, then each of <see cref="PlottedSignals"/> that the law has.</summary>
    internal static class RunFigure
    {
        /// <summary>The signals plotted under the loss, in order; those the law lacks are left out.</summary>
        public static readonly string[] PlottedSignals = { "alpha", "mu", "sigma", "gamma" };

        /// <summary>The figure of a run the machine has just made (<see cref="Of(string, double[], double?, Func{string, double[]?})"/>).</summary>
        /// <param name="axis">what a step is: "step" of a law's run, "epoch" of a training</param>
        public static Figure Of(MachineRun run, string title, string axis = "step")
        {
            if (run is null) throw new ArgumentNullException(nameof(run));
            var log = run.Log;
            return Of(title, log.Losses.ToArray(), run.OptimumLoss, name => log.RecordsSignals && log.SignalIndex(name) >= 0 ? log.SignalColumn(name) : null, log.FirstStep, axis);
        }

        /// <summary>
        /// The panels over steps first, first + 1, ...: the loss' gap above the task's optimum on a log scale when the optimum
        /// is known (else the loss itself, on a log scale when it stays positive); then alpha and gamma (on log
        /// scales when positive), mu and sigma, each that <paramref name="signal"/> has (null: the law lacks it).
        /// </summary>
        public static Figure Of(string title, double[] loss, double? optimum, Func<string, double[]?> signal, long first = 1, string axis = "step")
        {
            if (loss is null) throw new ArgumentNullException(nameof(loss));
            if (signal is null) throw new ArgumentNullException(nameof(signal));
            var panels = new List<PlotPanel>();
            if (optimum is double o)
                panels.Add(new("loss − optimum (log)", new[] { new PlotSeries("loss − optimum", loss.Select(l => l - o).ToArray()) }, true));
            else
            {
                bool positive = Positive(loss);
                panels.Add(new(positive ? "loss (log)" : "loss", new[] { new PlotSeries("loss", loss) }, positive));
            }
            foreach (var name in PlottedSignals)
            {
                if (signal(name) is not double[] values) continue;
                bool logScale = name is "alpha" or "gamma" && Positive(values);
                panels.Add(new(name + (logScale ? " (log)" : ""), new[] { new PlotSeries(name, values) }, logScale));
            }
            return new Figure(title, panels, first, axis);
        }

        /// <summary>Whether the finite values are all positive, and there is at least one.</summary>
        private static bool Positive(double[] values) => values.Any(double.IsFinite) && values.Where(double.IsFinite).All(v => v > 0);
    }
}
