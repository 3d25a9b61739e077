using System;
using System.Globalization;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AE.Engine
{
    /// <summary>Small JSON pieces written by hand (the database's JSON columns, settings).</summary>
    public static class Json
    {
        private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

        /// <summary>A JSON string literal, quoted and escaped.</summary>
        public static string String(string value) => "\"" + JsonEncodedText.Encode(value, Encoder).ToString() + "\"";

        /// <summary>
        /// A number in its shortest round-trip form; the non-finite values, which JSON lacks, as the strings
        /// <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> (as <c>ae replay --format json</c> writes them).
        /// </summary>
        public static string Number(double value)
        {
            if (double.IsNaN(value)) return "\"NaN\"";
            if (double.IsPositiveInfinity(value)) return "\"Infinity\"";
            if (double.IsNegativeInfinity(value)) return "\"-Infinity\"";
            return value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e'); // 1e-05, as the text output writes it
        }

        /// <summary>Writes a number property, non-finite values as strings; see <see cref="NumberValue"/>.</summary>
        public static void Number(Utf8JsonWriter json, string name, double value)
        {
            if (json is null) throw new ArgumentNullException(nameof(json));
            json.WritePropertyName(name);
            NumberValue(json, value);
        }

        /// <summary>
        /// Writes a number (an array's element) in its shortest round-trip form with a lower-case exponent (<c>1e-09</c>, as the
        /// text output writes numbers; Utf8JsonWriter's own is <c>1E-09</c>), non-finite values as strings.
        /// </summary>
        public static void NumberValue(Utf8JsonWriter json, double value)
        {
            if (json is null) throw new ArgumentNullException(nameof(json));
            if (double.IsNaN(value)) json.WriteStringValue("NaN");
            else if (double.IsPositiveInfinity(value)) json.WriteStringValue("Infinity");
            else if (double.IsNegativeInfinity(value)) json.WriteStringValue("-Infinity");
            else
            {
                // Written as a parsed number, not a raw value: an indented writer lays a raw value of an array out on no line
                // of its own ([1.5,2.5\n  ]), a number element it indents as its others.
                using var number = JsonDocument.Parse(value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e'));
                number.RootElement.WriteTo(json);
            }
        }

        /// <summary>A number property that is null where <paramref name="value"/> is NaN because it does not apply (a mean over no runs); infinities as <see cref="Number(Utf8JsonWriter, string, double)"/>.</summary>
        public static void NumberOrNull(Utf8JsonWriter json, string name, double value)
        {
            if (json is null) throw new ArgumentNullException(nameof(json));
            if (double.IsNaN(value)) json.WriteNull(name);
            else Number(json, name, value);
        }

        /// <summary>
        /// A mean over seeds as <c>{"mean", "ci"}</c> (and <c>"n"</c> with <paramref name="withCount"/>): the mean of no
        /// values is null, and so is an interval that does not apply (fewer than two values, or one not finite), as cli.md's
        /// JSON conventions say for every command.
        /// </summary>
        public static void MeanWithCi(Utf8JsonWriter json, string name, MeanCi m, bool withCount = false)
        {
            if (json is null) throw new ArgumentNullException(nameof(json));
            json.WriteStartObject(name);
            if (m.Count == 0) json.WriteNull("mean");
            else Number(json, "mean", m.Mean);
            if (m.Ci is double ci) Number(json, "ci", ci);
            else json.WriteNull("ci");
            if (withCount) json.WriteNumber("n", m.Count);
            json.WriteEndObject();
        }

        /// <summary>One indented JSON document written by <paramref name="write"/>, then a line end, to <paramref name="output"/>.</summary>
        public static void WriteIndented(TextWriter output, Action<Utf8JsonWriter> write)
        {
            using var stream = new MemoryStream();
            // The relaxed encoder, as every other command's JSON: a quote inside a string is \", not \u0022.
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = Encoder })) write(json);
            output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        }
    }
}
