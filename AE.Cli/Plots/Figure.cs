using System.Collections.Generic;

namespace AE.Cli.Plots
{
    /// <summary>One line of a panel: its name (in the panel's legend) and its values, the i-th at x = first + i.</summary>
    internal sealed record PlotSeries(string Name, double[] Values);

    /// <summary>A panel of a figure: its title, its series (drawn over each other in order, sharing its y scale) and whether that scale is logarithmic.</summary>
    internal sealed record PlotPanel(string Title, IReadOnlyList<PlotSeries> Series, bool Log);

    /// <summary>
    /// A figure: a title over <see cref="Panels"/> stacked on one shared x axis named <see cref="Axis"/>,
    /// whose first point is <see cref="First"/> (a step, an epoch or a sample index).
    /// </summary>
    internal sealed record Figure(string Title, IReadOnlyList<PlotPanel> Panels, long First, string Axis);
}
