using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using AE.Experiments.Machine;

namespace AE.Cli
{
    /// <summary>
    /// What <c>ae run --out DIR</c> writes: <c>run-ID.csv</c> (step, loss and every signal, one row per law step)
    /// and <c>run-ID.svg</c> (a hand-written plot of the loss and the coefficients over the steps).
    /// </summary>
    internal static class RunFiles
    {
        /// <summary>The signals plotted under the loss, in order; those the law lacks are left out.</summary>
        public static readonly string[] PlottedSignals = { "alpha", "mu", "sigma", "gamma" };

        /// <summary>
        /// <c>step,loss,SIGNAL...</c>: step k = 1, 2, ... is the k-th law step, loss the loss handed to it (at theta
        /// before the step), each signal its value after the step; numbers round-trip, non-finite ones are
        /// <c>nan</c>, <c>inf</c>, <c>-inf</c>.
        /// </summary>
        public static void WriteCsv(MachineRun run, TextWriter writer)
        {
            var log = run.Log;
            writer.Write("step,loss");
            if (log.RecordsSignals) foreach (var name in log.SignalNames) writer.Write("," + name);
            writer.Write('\n');
            var sb = new StringBuilder();
            for (int row = 0; row < log.Count; row++)
            {
                sb.Clear();
                sb.Append((row + 1).ToString(CultureInfo.InvariantCulture)).Append(',').Append(ReplayOutput.Num(log.Loss(row)));
                if (log.RecordsSignals)
                    for (int i = 0; i < log.SignalCount; i++) sb.Append(',').Append(ReplayOutput.Num(log.Signal(row, i)));
                sb.Append('\n');
                writer.Write(sb.ToString());
            }
        }

        private const int PlotWidth = 640, PanelHeight = 110, Left = 78, Right = 16, Top = 40, Gap = 26, Bottom = 34;
        private const int MaxPoints = 600;

        /// <summary>A panel of a plot: its label, its series (drawn over each other, in order) and whether its scale is logarithmic.</summary>
        internal sealed record Panel(string Label, IReadOnlyList<(string Name, double[] Values)> Series, bool Log);

        /// <summary>
        /// A standalone SVG: one panel per series, stacked, sharing the step axis. The loss panel plots the gap
        /// above the task's optimum on a log scale when the optimum is known (the loss itself on a log scale when it
        /// stays positive, else linearly); alpha and gamma are on log scales when positive, mu and sigma linear.
        /// Each series is thinned to at most 600 points; non-finite points break the line.
        /// </summary>
        public static void WriteSvg(MachineRun run, string title, TextWriter writer)
        {
            var log = run.Log;
            var panels = new List<Panel>();
            var loss = log.Losses.ToArray();
            if (run.OptimumLoss is double optimum)
                panels.Add(new("loss − optimum (log)", new[] { ("loss", loss.Select(l => l - optimum).ToArray()) }, true));
            else
            {
                bool positive = loss.Where(double.IsFinite).All(v => v > 0);
                panels.Add(new(positive ? "loss (log)" : "loss", new[] { ("loss", loss) }, positive));
            }
            if (log.RecordsSignals)
                foreach (var name in PlottedSignals)
                {
                    if (log.SignalIndex(name) < 0) continue;
                    var values = log.SignalColumn(name);
                    bool logScale = name is "alpha" or "gamma" && values.Where(double.IsFinite).All(v => v > 0) && values.Any(double.IsFinite);
                    panels.Add(new(name + (logScale ? " (log)" : ""), new[] { (name, values) }, logScale));
                }
            WritePlot(title, panels, 1, "step", writer);
        }

        /// <summary>
        /// A standalone SVG of <paramref name="panels"/> stacked over one axis whose first point is <paramref name="first"/>
        /// (a step or a sample index): a panel's series share its scale, each in its own colour, named in a legend when
        /// there are several; each series is thinned to at most 600 points; non-finite points break the line.
        /// </summary>
        public static void WritePlot(string title, IReadOnlyList<Panel> panels, long first, string axis, TextWriter writer)
        {
            int height = Top + panels.Count * PanelHeight + (panels.Count - 1) * Gap + Bottom;
            int plotW = PlotWidth - Left - Right;
            var svg = new StringBuilder();
            svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(PlotWidth).Append("\" height=\"").Append(height)
               .Append("\" viewBox=\"0 0 ").Append(PlotWidth).Append(' ').Append(height).Append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
            svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
            svg.Append("<text x=\"").Append(Left).Append("\" y=\"18\" font-size=\"13\" font-weight=\"bold\">").Append(Escape(title)).Append("</text>\n");
            int steps = Math.Max(panels.Count == 0 ? 1 : panels.Max(p => p.Series.Count == 0 ? 0 : p.Series.Max(s => s.Values.Length)), 1);
            string[] colors = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e" };
            for (int p = 0; p < panels.Count; p++)
            {
                var panel = panels[p];
                bool logScale = panel.Log;
                int y0 = Top + p * (PanelHeight + Gap);
                Func<double, double?> map = logScale ? v => v > 0 && double.IsFinite(v) ? Math.Log10(v) : null : v => double.IsFinite(v) ? v : null;
                var mappedSeries = panel.Series.Select(s => s.Values.Select(map).ToArray()).ToArray();
                var finite = mappedSeries.SelectMany(m => m).Where(v => v.HasValue).Select(v => v!.Value).ToArray();
                double lo = finite.Length > 0 ? finite.Min() : 0, hi = finite.Length > 0 ? finite.Max() : 1;
                if (!(hi > lo) || hi - lo <= 1e-12 * Math.Max(Math.Abs(hi), Math.Abs(lo)))
                {
                    double pad = logScale ? 0.5 : hi == 0 ? 0.5 : Math.Abs(hi) * 0.1;
                    lo -= pad;
                    hi += pad;
                }

                svg.Append("<g>\n");
                svg.Append("<rect x=\"").Append(Left).Append("\" y=\"").Append(y0).Append("\" width=\"").Append(plotW).Append("\" height=\"").Append(PanelHeight)
                   .Append("\" fill=\"none\" stroke=\"#888\"/>\n");
                svg.Append("<text x=\"").Append(Left + 4).Append("\" y=\"").Append(y0 - 4).Append("\">").Append(Escape(panel.Label)).Append("</text>\n");
                if (panel.Series.Count > 1)
                {
                    var legend = new StringBuilder();
                    for (int s = 0; s < panel.Series.Count; s++)
                        legend.Append("<tspan fill=\"").Append(colors[(p + s) % colors.Length]).Append("\">").Append(s > 0 ? "  " : "").Append(Escape(panel.Series[s].Name)).Append("</tspan>");
                    svg.Append("<text x=\"").Append(Left + plotW).Append("\" y=\"").Append(y0 - 4).Append("\" text-anchor=\"end\">").Append(legend).Append("</text>\n");
                }
                var (hiLabel, loLabel) = AxisLabels(hi, lo, logScale);
                foreach (var (text, yy) in new[] { (hiLabel, y0), (loLabel, y0 + PanelHeight) })
                    svg.Append("<text x=\"").Append(Left - 4).Append("\" y=\"").Append(yy + 4).Append("\" text-anchor=\"end\">").Append(Escape(text)).Append("</text>\n");
                for (int s = 0; s < panel.Series.Count; s++)
                {
                    var values = panel.Series[s].Values;
                    var mapped = mappedSeries[s];
                    if (!mapped.Any(v => v.HasValue)) continue;
                    int stride = Math.Max(1, (values.Length + MaxPoints - 1) / MaxPoints);
                    var path = new StringBuilder();
                    bool pen = false;
                    for (int i = 0; i < values.Length; i += stride)
                    {
                        int idx = i + stride >= values.Length ? values.Length - 1 : i;
                        if (mapped[idx] is not double m) { pen = false; continue; }
                        double x = Left + plotW * (steps <= 1 ? 0 : (double)idx / (steps - 1));
                        double y = y0 + PanelHeight * (1 - (m - lo) / (hi - lo));
                        path.Append(pen ? " L" : (path.Length > 0 ? " M" : "M")).Append(Coord(x)).Append(',').Append(Coord(y));
                        pen = true;
                    }
                    if (path.Length > 0)
                        svg.Append("<path d=\"").Append(path).Append("\" fill=\"none\" stroke=\"").Append(colors[(p + s) % colors.Length]).Append("\" stroke-width=\"1.2\"/>\n");
                }
                svg.Append("</g>\n");
            }
            int axisY = Top + panels.Count * PanelHeight + (panels.Count - 1) * Gap;
            foreach (double f in new[] { 0.0, 0.5, 1.0 })
            {
                double x = Left + plotW * f;
                long at = (long)Math.Round(first + f * (steps - 1));
                svg.Append("<text x=\"").Append(Coord(x)).Append("\" y=\"").Append(axisY + 14).Append("\" text-anchor=\"middle\">")
                   .Append(at.ToString(CultureInfo.InvariantCulture)).Append("</text>\n");
            }
            svg.Append("<text x=\"").Append(Left + plotW / 2).Append("\" y=\"").Append(axisY + 28).Append("\" text-anchor=\"middle\">").Append(Escape(axis)).Append("</text>\n");
            svg.Append("</svg>\n");
            writer.Write(svg.ToString());
        }

        /// <summary>The top and bottom labels, with as many digits as it takes (3 to 8) to tell them apart.</summary>
        private static (string Hi, string Lo) AxisLabels(double hi, double lo, bool logScale)
        {
            for (int digits = 3; ; digits++)
            {
                string a = AxisLabel(hi, logScale, digits), b = AxisLabel(lo, logScale, digits);
                if (a != b || digits == 8) return (a, b);
            }
        }

        private static string AxisLabel(double v, bool logScale, int digits)
        {
            return (logScale ? Math.Pow(10, v) : v).ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).Replace('E', 'e');
        }

        private static string Coord(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
    }
}
