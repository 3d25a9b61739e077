using System;
using System.Globalization;
using System.IO;
using System.Linq;
using AE.Cli.Plots;
using Xunit;
using Xunit.Abstractions;

namespace AE.Cli.Tests
{
    /// <summary>The plotting module: what a run's figure holds, the PNG and SVG it draws, its log axes, thinning and gaps.</summary>
    public class PlotTests
    {
        private readonly ITestOutputHelper _output;

        public PlotTests(ITestOutputHelper output) => _output = output;

        private static readonly double[] Decades = Enumerable.Range(0, 401).Select(i => Math.Pow(10, -i / 50.0)).ToArray();   // 1 down to 1e-8

        [Fact]
        public void A_run_figure_plots_the_loss_gap_on_a_log_axis_and_the_signals_the_law_has()
        {
            var loss = Decades.Select(d => d + 2).ToArray();
            var alpha = Decades.Select(d => 0.1 * (1 + d)).ToArray();
            var mu = Decades.Select(d => 0.9 - d).ToArray();
            var figure = RunFigure.Of("a run", loss, optimum: 2, name => name switch { "alpha" => alpha, "mu" => mu, _ => null });
            Assert.Equal(new[] { "loss − optimum (log)", "alpha (log)", "mu" }, figure.Panels.Select(p => p.Title));
            Assert.Equal(new[] { true, true, false }, figure.Panels.Select(p => p.Log));
            Assert.Equal(1, figure.First);
            Assert.Equal("step", figure.Axis);

            // Without the optimum the loss itself is plotted, on a log scale only while it stays positive.
            Assert.Equal("loss (log)", RunFigure.Of("t", loss, null, _ => null).Panels.Single().Title);
            Assert.Equal("loss", RunFigure.Of("t", mu, null, _ => null).Panels.Single().Title);
        }

        [Fact]
        public void The_svg_names_the_figure_its_panels_their_series_and_the_axis()
        {
            var figure = new Figure("two panels", new[]
            {
                new PlotPanel("gaps (log)", new[] { new PlotSeries("first", Decades), new PlotSeries("second", Decades.Select(d => d * 3).ToArray()) }, true),
                new PlotPanel("linear", new[] { new PlotSeries("ramp", Enumerable.Range(0, 401).Select(i => (double)i).ToArray()) }, false),
            }, 0, "the steps");
            using var dir = new TempDirectory();
            var written = PlotFiles.Write(Path.Combine(dir.Path, "f.svg"), figure);
            Assert.Equal(new[] { Path.Combine(dir.Path, "f.svg"), Path.Combine(dir.Path, "f.png") }, written);
            var (_, texts) = Plots.LoadSvg(written[0]);
            foreach (var text in new[] { "two panels", "gaps (log)", "linear", "first", "second", "ramp", "the steps" }) Assert.Contains(text, texts);
            Plots.AssertPng(written[1], FigureRenderer.Width, FigureRenderer.HeaderHeight + 2 * FigureRenderer.PanelHeight + 22);
            Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
        }

        [Fact]
        public void A_log_axis_is_labelled_by_evenly_spaced_powers_of_ten()
        {
            var figure = new Figure("log", new[] { new PlotPanel("decades (log)", new[] { new PlotSeries("d", Decades) }, true) }, 1000, "x");
            var (_, texts) = Plots.ParseSvg(FigureRenderer.Svg(figure));
            // The x axis counts from 1000 up; every label below it is the y axis'.
            var y = texts.Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN)
                .Where(v => v > 0 && v <= 1).Select(Math.Log10).OrderBy(v => v).ToList();
            Assert.True(y.Count >= 3, string.Join(" ", texts));
            Assert.All(y, e => Assert.Equal(Math.Round(e), e, 9));                            // powers of ten
            Assert.Single(y.Zip(y.Skip(1), (a, b) => Math.Round(b - a)).Distinct());           // evenly spaced
            Assert.True(y[^1] - y[0] >= 4, "the labels span the eight decades");
        }

        [Fact]
        public void A_narrow_log_axis_still_has_distinct_labels()
        {
            var narrow = Enumerable.Range(0, 100).Select(i => 4.1 + 0.0001 * i).ToArray();
            var figure = new Figure("narrow", new[] { new PlotPanel("gap (log)", new[] { new PlotSeries("g", narrow) }, true) }, 0, "x");
            var (_, texts) = Plots.ParseSvg(FigureRenderer.Svg(figure));
            var y = texts.Where(t => t.StartsWith("4.1", StringComparison.Ordinal)).ToList();
            Assert.True(y.Count >= 2, string.Join(" ", texts));
            Assert.Equal(y.Count, y.Distinct().Count());
        }

        [Fact]
        public void Points_a_panel_cannot_show_break_the_line_and_long_series_are_thinned()
        {
            double[] values = { 1, double.NaN, 2, 3, -1, 4 };
            var log = FigureRenderer.Segments(values, 10, log: true).ToList();
            Assert.Equal(new[] { new[] { 10.0 }, new[] { 12.0, 13 }, new[] { 15.0 } }, log.Select(s => s.X));
            Assert.Equal(new[] { 0, Math.Log10(2), Math.Log10(3) }, log.SelectMany(s => s.Y).Take(3));
            var linear = FigureRenderer.Segments(values, 0, log: false).ToList();
            Assert.Equal(new[] { new[] { 0.0 }, new[] { 2.0, 3, 4, 5 } }, linear.Select(s => s.X));

            var thinned = FigureRenderer.Segments(Enumerable.Range(0, 10_001).Select(i => (double)i).ToArray(), 1, log: false).Single();
            Assert.True(thinned.X.Length <= FigureRenderer.MaxPoints, thinned.X.Length.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(1, thinned.X[0]);
            Assert.Equal(10_001, thinned.X[^1]);                                              // the last point is kept

            // a one-step spike and a one-step dip in a long series are drawn (every k-th value alone drew neither)
            var flat = Enumerable.Repeat(1.0, 100_001).ToArray();
            flat[50_003] = 1e6;
            flat[70_001] = 1e-6;
            var spiky = FigureRenderer.Segments(flat, 1, log: true).Single();
            Assert.True(spiky.X.Length <= FigureRenderer.MaxPoints, spiky.X.Length.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(6, spiky.Y.Max());
            Assert.Equal(50_004, spiky.X[Array.IndexOf(spiky.Y, 6.0)]);
            Assert.Equal(-6, spiky.Y.Min());
            Assert.Equal(70_002, spiky.X[Array.IndexOf(spiky.Y, -6.0)]);
            Assert.Equal(spiky.X.OrderBy(x => x), spiky.X);                                    // in step order

            // a long series that flickers between shown and not shown (a converged gap at 0 on a log panel) stays within the bound
            var flicker = Enumerable.Range(0, 1_000_000).Select(i => i % 2 == 0 ? 0.0 : 1e-12).ToArray();
            var flickered = FigureRenderer.Segments(flicker, 1, log: true).ToList();
            Assert.True(flickered.Sum(x => x.X.Length) <= FigureRenderer.MaxPoints, flickered.Sum(x => x.X.Length).ToString(CultureInfo.InvariantCulture));
            // a stretch with nothing to show still breaks the line past the bound
            var hole = Enumerable.Repeat(1.0, 100_000).ToArray();
            for (int i = 40_000; i < 41_000; i++) hole[i] = double.NaN;
            var holed = FigureRenderer.Segments(hole, 1, log: false).ToList();
            Assert.Equal(2, holed.Count);
            Assert.True(holed[0].X[^1] <= 40_000 && holed[1].X[0] > 41_000, holed[0].X[^1] + " " + holed[1].X[0]);
        }

        [Fact]
        public void The_plots_are_drawn_in_dejavu_sans_where_it_is_installed()
        {
            // Without any font SkiaSharp draws the lines and no text; .ci/run installs fonts-dejavu-core.
            bool installed = File.Exists("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
            bool inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
            if (!installed && !inCi)
            {
                _output.WriteLine("not run: no DejaVu Sans (apt-get install fonts-dejavu-core); the plots are drawn in " + FigureRenderer.FontName);
                return;
            }
            Assert.Equal("DejaVu Sans", FigureRenderer.FontName);
        }

        [Fact]
        public void A_figure_with_nothing_to_plot_still_draws()
        {
            var figure = new Figure("empty", new[] { new PlotPanel("all NaN (log)", new[] { new PlotSeries("n", new[] { double.NaN, double.NaN }) }, true) }, 1, "step");
            var (_, texts) = Plots.ParseSvg(FigureRenderer.Svg(figure));
            Assert.Contains("all NaN (log) (nothing to show)", texts);
            Assert.StartsWith("\u0089PNG", System.Text.Encoding.Latin1.GetString(FigureRenderer.Png(figure), 0, 4), StringComparison.Ordinal);
        }
    }
}
