using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using SkiaSharp;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>Checks on the plots the commands write: a PNG that decodes and shows something, an SVG that parses and names its panels.</summary>
    internal static class Plots
    {
        public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

        /// <summary>
        /// Asserts that <paramref name="path"/> is a PNG of <paramref name="width"/> x <paramref name="height"/>
        /// pixels (any height when null) that decodes and is not blank; returns its height.
        /// </summary>
        public static int AssertPng(string path, int width, int? height = null)
        {
            byte[] bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 33, path + " is too short for a PNG");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes.Take(8));
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            int w = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), h = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
            Assert.Equal(width, w);
            if (height is int expected) Assert.Equal(expected, h);
            using var bitmap = SKBitmap.Decode(bytes);
            Assert.NotNull(bitmap);
            Assert.Equal((w, h), (bitmap.Width, bitmap.Height));
            int dark = Count(bitmap, c => c.Red + c.Green + c.Blue < 3 * 128);
            Assert.True(dark > 500, path + ": only " + dark + " dark pixels (sampled): nothing drawn?");
            return h;
        }

        /// <summary>How many of every other pixel in each direction (a quarter of them) satisfy <paramref name="test"/>.</summary>
        public static int Count(SKBitmap bitmap, Func<SKColor, bool> test)
        {
            int count = 0;
            for (int y = 0; y < bitmap.Height; y += 2)
                for (int x = 0; x < bitmap.Width; x += 2)
                    if (test(bitmap.GetPixel(x, y))) count++;
            return count;
        }

        /// <summary>Parses the SVG at <paramref name="path"/>; returns it with its texts (trimmed).</summary>
        public static (XDocument Svg, List<string> Texts) LoadSvg(string path) => ParseSvg(File.ReadAllText(path));

        /// <summary>Parses an SVG document; returns it with its texts (trimmed).</summary>
        public static (XDocument Svg, List<string> Texts) ParseSvg(string text)
        {
            var svg = XDocument.Parse(text);
            Assert.Equal(Svg + "svg", svg.Root!.Name);
            return (svg, svg.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList());
        }

        /// <summary>The points of the SVG's paths stroked in <paramref name="color"/> (#rrggbb, any case): one list of (x, y) per path.</summary>
        public static List<List<(double X, double Y)>> Lines(XDocument svg, string color)
            => svg.Descendants(Svg + "path").Where(p => string.Equals((string?)p.Attribute("stroke"), color, StringComparison.OrdinalIgnoreCase))
                .Select(p => Points(p.Attribute("d")!.Value)).ToList();

        /// <summary>The points of a path made of M and L commands.</summary>
        public static List<(double X, double Y)> Points(string d)
        {
            var numbers = d.Split(new[] { 'M', 'L', ' ', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
            Assert.True(numbers.Count % 2 == 0, d);
            return Enumerable.Range(0, numbers.Count / 2).Select(i => (numbers[2 * i], numbers[2 * i + 1])).ToList();
        }
    }
}
