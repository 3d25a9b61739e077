using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ScottPlot;
using SkiaSharp;

namespace AE.Cli.Plots
{
    /// <summary>
    /// Draws a <see cref="Figure"/> with ScottPlot, as a PNG and as an SVG of the same picture: the figure's title
    /// on top, then one ScottPlot plot per panel, stacked, each with its title, its legend and its y axis
    /// (logarithmic panels plot log10 of the values, with ticks labelled by the values themselves), all over
    /// the same x range, the last one naming the x axis. Each series is thinned to at most
    /// <see cref="MaxPoints"/> points; points a panel cannot show (non-finite, or not positive on a log scale)
    /// break the line.
    /// </summary>
    internal static class FigureRenderer
    {
        public const int Width = 900;
        public const int PanelHeight = 190;
        public const int HeaderHeight = 36;
        public const int MaxPoints = 2000;

        /// <summary>The extra height of the last panel, for the x axis' label.</summary>
        private const int AxisLabelHeight = 22;

        private static readonly Color[] Colors =
        {
            Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#9467bd"), Color.FromHex("#ff7f0e"),
            Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"), Color.FromHex("#bcbd22"), Color.FromHex("#17becf"),
        };

        /// <summary>
        /// The font every figure uses: DejaVu Sans (Debian's fonts-dejavu-core) when it is installed; otherwise
        /// ScottPlot's own choice among the fonts there are.
        /// </summary>
        internal static readonly string FontName = ChooseFont();

        private static readonly object Gate = new();

        /// <summary>The picture's height in pixels for <paramref name="figure"/>.</summary>
        public static int Height(Figure figure) => HeaderHeight + Math.Max(1, figure.Panels.Count) * PanelHeight + AxisLabelHeight;

        /// <summary>The figure as a PNG file's bytes, <see cref="Width"/> by <see cref="Height"/> pixels.</summary>
        public static byte[] Png(Figure figure)
        {
            int height = Height(figure);
            using var surface = SKSurface.Create(new SKImageInfo(Width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException("SkiaSharp could not make a " + Width + "x" + height + " surface");
            Draw(surface.Canvas, figure, height);
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }

        /// <summary>The figure as a standalone SVG document (its text as text, so the titles can be searched).</summary>
        public static string Svg(Figure figure)
        {
            int height = Height(figure);
            using var stream = new SKDynamicMemoryWStream();
            using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, height), stream))
                Draw(canvas, figure, height);
            using var data = stream.DetachAsData();
            return Encoding.UTF8.GetString(data.AsSpan());
        }

        private static void Draw(SKCanvas canvas, Figure figure, int height)
        {
            // ScottPlot's font cache and typeface lookups are static: one figure at a time.
            lock (Gate)
            {
                var multiplot = Build(figure);
                try
                {
                    // ScottPlot draws a plot a second time when the first drawing settled its axes; a first pass on
                    // a canvas that keeps nothing settles them, so that the SVG holds each element once.
                    var rect = new PixelRect(0, Width, height, HeaderHeight);
                    using (var settle = new SKNoDrawCanvas(Width, height))
                        multiplot.Render(settle, rect);
                    multiplot.Render(canvas, rect);
                }
                finally
                {
                    foreach (var plot in multiplot.GetPlots()) plot.Dispose();
                }
                // after the plots: rendering them clears the whole canvas
                using var background = new SKPaint { Color = SKColors.White };
                canvas.DrawRect(0, 0, Width, HeaderHeight, background);
                using var typeface = SKTypeface.FromFamilyName(FontName, SKFontStyle.Bold);
                using var font = new SKFont(typeface, 15);
                using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
                canvas.DrawText(figure.Title, 12, 24, SKTextAlign.Left, font, paint);
            }
        }

        private static Multiplot Build(Figure figure)
        {
            var panels = figure.Panels.Count > 0 ? figure.Panels : new[] { new PlotPanel("(nothing to plot)", Array.Empty<PlotSeries>(), false) };
            var multiplot = new Multiplot { Layout = new PanelRows(PanelHeight, AxisLabelHeight) };
            int longest = panels.Max(p => p.Series.Count == 0 ? 0 : p.Series.Max(s => s.Values.Length));
            double xMin = figure.First, xMax = figure.First + Math.Max(longest - 1, 0);
            if (xMax <= xMin) (xMin, xMax) = (xMin - 1, xMax + 1);
            for (int p = 0; p < panels.Count; p++)
            {
                var plot = p == 0 ? multiplot.GetPlot(0) : multiplot.AddPlot();
                bool last = p == panels.Count - 1;
                AddPanel(plot, panels[p], figure.First);
                plot.Font.Set(FontName);
                plot.Axes.Title.Label.FontSize = 13;
                plot.Layout.Fixed(new PixelPadding(left: 86, right: 18, bottom: last ? 28 + AxisLabelHeight : 28, top: 34));
                plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, LabelFormatter = x => TickLabel(x, 12) };
                plot.Axes.SetLimitsX(xMin, xMax);
                if (last) plot.XLabel(figure.Axis, 12);
            }
            multiplot.SharedAxes.ShareX(multiplot.GetPlots());
            return multiplot;
        }

        private static void AddPanel(Plot plot, PlotPanel panel, long first)
        {
            var empty = new List<string>();
            bool any = false;
            for (int s = 0; s < panel.Series.Count; s++)
            {
                var series = panel.Series[s];
                var color = Colors[s % Colors.Length];
                bool named = false;
                foreach (var (xs, ys) in Segments(series.Values, first, panel.Log))
                {
                    var scatter = plot.Add.Scatter(xs, ys, color);
                    scatter.LineWidth = 1.5f;
                    scatter.MarkerSize = xs.Length == 1 ? 4 : 0;
                    if (!named) scatter.LegendText = series.Name;
                    named = true;
                    any = true;
                }
                if (!named) empty.Add(series.Name);
            }
            plot.Title(panel.Title + (!any ? " (nothing to show)" : empty.Count > 0 ? " (no points: " + string.Join(", ", empty) + ")" : ""));
            if (any)
            {
                // see-through, without a shadow: the lines under the legend still show
                var legend = plot.ShowLegend(Alignment.UpperRight);
                legend.BackgroundColor = Color.FromHex("#ffffff").WithAlpha(0.75);
                legend.OutlineColor = Color.FromHex("#999999");
                legend.ShadowColor = Color.FromHex("#ffffff").WithAlpha(0);
            }
            plot.Axes.Left.TickGenerator = panel.Log ? new LogTicks() : new DistinctTicks(y => y);
            if (!any) plot.Axes.SetLimitsY(panel.Log ? -1 : 0, panel.Log ? 0 : 1);
        }

        /// <summary>
        /// The runs of consecutive plottable points of <paramref name="values"/> after thinning, as (x, y) arrays; y is log10 on
        /// a log panel. Up to <see cref="MaxPoints"/> values every value is a point and one that cannot be shown breaks the
        /// line. Past it, each bucket of consecutive values is drawn by its lowest and its highest plottable value, in step
        /// order (and the series' first and last value by themselves), and only a bucket with none breaks the line: a one-step
        /// spike or dip stays in the plot, where every k-th value alone drew a divergence excursion at half its height, and
        /// a series that flickers between shown and not shown stays within the bound.
        /// </summary>
        internal static IEnumerable<(double[] X, double[] Y)> Segments(double[] values, long first, bool log)
        {
            // Up to two points a bucket, and the series' ends: (MaxPoints - 2) / 2 buckets keep it within MaxPoints.
            const int Buckets = (MaxPoints - 2) / 2;
            int stride = values.Length <= MaxPoints ? 1 : (values.Length + Buckets - 1) / Buckets;
            var xs = new List<double>();
            var ys = new List<double>();
            double? Shown(double v) => !double.IsFinite(v) ? null : log ? (v > 0 ? Math.Log10(v) : null) : v;
            for (int start = 0; start < values.Length; start += stride)
            {
                int end = Math.Min(values.Length, start + stride) - 1, lo = -1, hi = -1;
                double loY = 0, hiY = 0;
                for (int i = start; i <= end; i++)
                {
                    if (Shown(values[i]) is not double y) continue;
                    if (lo < 0 || y < loY) (lo, loY) = (i, y);
                    if (hi < 0 || y > hiY) (hi, hiY) = (i, y);
                }
                if (lo < 0)
                {
                    if (xs.Count > 0)
                    {
                        yield return (xs.ToArray(), ys.ToArray());
                        xs.Clear();
                        ys.Clear();
                    }
                    continue;
                }
                var kept = new SortedSet<int> { lo, hi };
                if (start == 0 && Shown(values[0]) is not null) kept.Add(0);
                if (end == values.Length - 1 && Shown(values[end]) is not null) kept.Add(end);
                foreach (int i in kept)
                {
                    xs.Add(first + i);
                    ys.Add(Shown(values[i])!.Value);
                }
            }
            if (xs.Count > 0) yield return (xs.ToArray(), ys.ToArray());
        }

        private static string ChooseFont()
        {
            const string preferred = "DejaVu Sans";
            using var typeface = SKFontManager.Default.MatchFamily(preferred);
            return typeface is not null && string.Equals(typeface.FamilyName, preferred, StringComparison.Ordinal) ? preferred : Fonts.Default;
        }

        /// <summary>A number as an axis shows it: <paramref name="digits"/> significant digits, exponents written short (1e-5, 2.5e12).</summary>
        internal static string TickLabel(double value, int digits = 3)
        {
            string text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            int e = text.IndexOf('E', StringComparison.Ordinal);
            if (e < 0) return text;
            int exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return text[..e] + "e" + exponent.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// The ticks of a log axis (positions are log10 of the values): decades labelled by their value (every
        /// k-th when there are many) with 2..9 times each as minor ticks; within less than about two decades,
        /// 1, 2 and 5 times each decade (or every multiple) so that a few labels are always shown.
        /// </summary>
        private sealed class LogTicks : ITickGenerator
        {
            public Tick[] Ticks { get; set; } = Array.Empty<Tick>();

            public int MaxTickCount { get; set; } = 1000;

            public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
            {
                double lo = range.Min, hi = range.Max;
                var ticks = new List<Tick>();
                if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi) || hi - lo > 600)
                {
                    Ticks = Array.Empty<Tick>();
                    return;
                }
                int maxLabels = Math.Max(2, (int)(size.Length / 28));
                int d0 = (int)Math.Floor(lo), d1 = (int)Math.Ceiling(hi);
                foreach (var mantissas in new[] { new[] { 1 }, new[] { 1, 2, 5 }, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 } })
                {
                    var positions = new List<(double Position, double Value)>();
                    for (int d = d0; d <= d1; d++)
                        foreach (int m in mantissas)
                        {
                            double position = d + Math.Log10(m);
                            if (position >= lo && position <= hi) positions.Add((position, m * Math.Pow(10, d)));
                        }
                    if (positions.Count < 3 && mantissas.Length < 9) continue;
                    int every = Math.Max(1, (positions.Count + maxLabels - 1) / maxLabels);
                    for (int i = 0; i < positions.Count; i++)
                        ticks.Add(i % every == 0 ? Tick.Major(positions[i].Position, TickLabel(positions[i].Value)) : Tick.Minor(positions[i].Position));
                    if (mantissas.Length == 1 && every == 1)
                        for (int d = d0 - 1; d <= d1; d++)
                            for (int m = 2; m <= 9; m++)
                            {
                                double position = d + Math.Log10(m);
                                if (position >= lo && position <= hi) ticks.Add(Tick.Minor(position));
                            }
                    break;
                }
                if (ticks.Count(t => t.IsMajor) < 2)
                {
                    // less than a factor 10/9 apart: evenly spaced ticks, labelled by their values
                    var linear = new DistinctTicks(y => Math.Pow(10, y));
                    linear.Regenerate(range, edge, size, paint, labelStyle);
                    ticks = linear.Ticks.ToList();
                }
                Ticks = ticks.ToArray();
            }
        }

        /// <summary>
        /// ScottPlot's evenly spaced ticks, each labelled by <c>value(position)</c> with the fewest significant
        /// digits (3 to 12) that tell the labels apart.
        /// </summary>
        private sealed class DistinctTicks : ITickGenerator
        {
            private readonly Func<double, double> _value;
            private readonly ScottPlot.TickGenerators.NumericAutomatic _inner = new();

            public DistinctTicks(Func<double, double> value) => _value = value;

            public Tick[] Ticks { get; set; } = Array.Empty<Tick>();

            public int MaxTickCount { get => _inner.MaxTickCount; set => _inner.MaxTickCount = value; }

            public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
            {
                _inner.Regenerate(range, edge, size, paint, labelStyle);
                // a tick at zero comes out of the spacing arithmetic as a tiny remainder (1e-17): it is zero
                var ticks = _inner.Ticks.Select(t => Math.Abs(t.Position) < 1e-9 * range.Span ? new Tick(0, t.Label, t.IsMajor) : t).ToArray();
                var majors = ticks.Where(t => t.IsMajor).Select(t => _value(t.Position)).ToArray();
                int digits = 3;
                while (digits < 12 && majors.Select(v => TickLabel(v, digits)).Distinct(StringComparer.Ordinal).Count() < majors.Length) digits++;
                Ticks = ticks.Select(t => t.IsMajor ? Tick.Major(t.Position, TickLabel(_value(t.Position), digits)) : t).ToArray();
            }
        }

        /// <summary>The panels stacked top to bottom, each <c>height</c> pixels high, the last <c>extra</c> pixels higher for the x axis' label.</summary>
        private sealed class PanelRows : IMultiplotLayout
        {
            private readonly int _height, _extra;

            public PanelRows(int height, int extra)
            {
                _height = height;
                _extra = extra;
            }

            public PixelRect[] GetSubplotRectangles(SubplotCollection subplots, PixelRect figureRect)
            {
                int count = subplots.Count;
                var rects = new PixelRect[count];
                float top = figureRect.Top;
                for (int i = 0; i < count; i++)
                {
                    float bottom = top + _height + (i == count - 1 ? _extra : 0);
                    rects[i] = new PixelRect(figureRect.Left, figureRect.Right, bottom, top);
                    top = bottom;
                }
                return rects;
            }
        }
    }
}
