using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using AE.Experiments.Training;

namespace AE.Cli.Plots
{
    /// <summary>Writes a <see cref="Figure"/> as <c>NAME.svg</c> and <c>NAME.png</c> side by side, each whole or not at all.</summary>
    internal static class PlotFiles
    {
        /// <summary>Writes <paramref name="svgPath"/> and the PNG beside it (the same name ending in .png); returns both paths, the SVG's first.</summary>
        public static IReadOnlyList<string> Write(string svgPath, Figure figure)
        {
            if (svgPath is null) throw new ArgumentNullException(nameof(svgPath));
            if (figure is null) throw new ArgumentNullException(nameof(figure));
            string pngPath = Path.ChangeExtension(svgPath, ".png");
            byte[] svg = new UTF8Encoding(false).GetBytes(FigureRenderer.Svg(figure));
            OutputFiles.WriteBytes(svgPath, svg);
            WritePng(pngPath, figure);
            return new[] { svgPath, pngPath };
        }

        /// <summary>Writes the PNG alone.</summary>
        public static void WritePng(string path, Figure figure)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (figure is null) throw new ArgumentNullException(nameof(figure));
            OutputFiles.WriteBytes(path, FigureRenderer.Png(figure));
        }

        /// <summary>Writes <c>DIR/NAME.svg</c> and <c>DIR/NAME.png</c> (making DIR); returns both as the command line shows them.</summary>
        public static IReadOnlyList<string> Save(string dir, string svgName, Figure figure, CliContext context)
        {
            if (context is null) throw new ArgumentNullException(nameof(context));
            OutputFiles.CreateFolder(dir);
            return Write(Path.Combine(dir, svgName), figure).Select(p => Experiment.Display(p, context.CurrentDirectory)).ToList();
        }
    }
}
