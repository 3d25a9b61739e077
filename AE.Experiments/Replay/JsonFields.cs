using System;
using System.Linq;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AE.Experiments.Replay
{
    /// <summary>
    /// Typed reads of a golden case's JSON with one-line errors that name the file and the field
    /// (<c>x.json: 'problem.A[1][0]' must be a number, not a string</c>). Python's json module writes
    /// <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> for non-finite floats; they are accepted as numbers.
    /// </summary>
    internal sealed class JsonFields
    {
        private static readonly JsonDocumentOptions Options = new()
        {
            AllowTrailingCommas = false,
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = 64,
        };

        private readonly string _file;

        public JsonFields(string file) { _file = file; }

        public GoldenCaseException Fail(string message) => new(_file + ": " + message);

        public JsonDocument Parse(string json)
        {
            try
            {
                return JsonDocument.Parse(QuoteNamedLiterals(json), Options);
            }
            catch (JsonException ex)
            {
                throw new GoldenCaseException(_file + ": " + NotValid(ex), ex);
            }
        }

        /// <summary>
        /// "not valid JSON at line L, column C: what": the parser's position 1-based, in the words of the other messages,
        /// instead of .NET's "LineNumber: 0 | BytePositionInLine: 300." (column C counts bytes, as the parser does).
        /// </summary>
        public static string NotValid(JsonException ex)
        {
            if (ex is null) throw new ArgumentNullException(nameof(ex));
            // An empty file: the parser's words ("... when isFinalBlock is true") are about its own API, not the file.
            if (ex.Message.Contains("does not contain any JSON tokens", StringComparison.Ordinal)) return "not valid JSON: the file holds no JSON value (it is empty or white space)";
            string message = ex.Message;
            int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (at > 0) message = message.Substring(0, at);
            string where = ex.LineNumber is long line ? " at line " + (line + 1).ToString(CultureInfo.InvariantCulture)
                + (ex.BytePositionInLine is long col ? ", column " + (col + 1).ToString(CultureInfo.InvariantCulture) : "") : "";
            return "not valid JSON" + where + ": " + GoldenCase.OneLine(message).TrimEnd('.');
        }

        public JsonElement Required(JsonElement obj, string name, string path)
        {
            if (obj.ValueKind != JsonValueKind.Object) throw Fail("'" + Parent(path) + "' must be an object, not " + Describe(obj));
            if (!obj.TryGetProperty(name, out var value)) throw Fail("'" + path + "' is missing");
            return value;
        }

        public JsonElement Object(JsonElement parent, string name, string path)
        {
            var value = Required(parent, name, path);
            if (value.ValueKind != JsonValueKind.Object) throw Fail("'" + path + "' must be an object, not " + Describe(value));
            return value;
        }

        public double Number(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Number:
                    if (e.TryGetDouble(out double d)) return d;
                    throw Fail("'" + path + "' is not a representable number: " + e.GetRawText());
                case JsonValueKind.String:
                    switch (e.GetString())
                    {
                        case "NaN": return double.NaN;
                        case "Infinity": return double.PositiveInfinity;
                        case "-Infinity": return double.NegativeInfinity;
                    }
                    break;
            }
            throw Fail("'" + path + "' must be a number, not " + Describe(e));
        }

        public double Finite(JsonElement e, string path)
        {
            double v = Number(e, path);
            if (double.IsNaN(v) || double.IsInfinity(v)) throw Fail("'" + path + "' must be a finite number, not " + Format(v));
            return v;
        }

        public double NonNegative(JsonElement e, string path)
        {
            double v = Number(e, path);
            // 1e309 reads as infinity, a tolerance that would pass anything.
            if (!(v >= 0) || double.IsInfinity(v)) throw Fail("'" + path + "' must be a finite number >= 0, not " + Format(v));
            return v;
        }

        public int WholeNumber(JsonElement e, string path, int min)
        {
            double v = Number(e, path);
            if (!(v >= min) || v > int.MaxValue || Math.Floor(v) != v)
                throw Fail("'" + path + "' must be a whole number >= " + min.ToString(CultureInfo.InvariantCulture) + ", not " + Format(v));
            return (int)v;
        }

        /// <summary>An array of finite numbers (a problem's data, a starting point): NaN or an infinity there would run as a problem of nothing.</summary>
        public double[] Vector(JsonElement e, string path)
        {
            if (e.ValueKind != JsonValueKind.Array) throw Fail("'" + path + "' must be an array of numbers, not " + Describe(e));
            var result = new double[e.GetArrayLength()];
            if (result.Length == 0) throw Fail("'" + path + "' is empty");
            int i = 0;
            foreach (var item in e.EnumerateArray())
            {
                result[i] = Finite(item, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]");
                i++;
            }
            return result;
        }

        public double[][] Matrix(JsonElement e, string path)
        {
            if (e.ValueKind != JsonValueKind.Array) throw Fail("'" + path + "' must be an array of rows, not " + Describe(e));
            var rows = new double[e.GetArrayLength()][];
            if (rows.Length == 0) throw Fail("'" + path + "' is empty");
            int i = 0;
            foreach (var item in e.EnumerateArray())
            {
                string rowPath = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
                if (item.ValueKind != JsonValueKind.Array) throw Fail("'" + rowPath + "' must be an array of numbers, not " + Describe(item));
                rows[i] = Vector(item, rowPath);
                i++;
            }
            return rows;
        }

        /// <summary>An object of settings: each value null, a bool or a number; each key once; the keys in <paramref name="skip"/> are not settings.</summary>
        public IReadOnlyList<CaseSetting> Settings(JsonElement obj, string section, IReadOnlyCollection<string>? skip = null)
        {
            var result = new List<CaseSetting>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in obj.EnumerateObject())
            {
                string path = section + "." + property.Name;
                if (property.Name.Length == 0) throw Fail("'" + section + "' has an empty key");
                if (!seen.Add(property.Name)) throw Fail("'" + path + "' appears twice");
                if (skip is not null && skip.Contains(property.Name, StringComparer.Ordinal)) continue;
                var v = property.Value;
                result.Add(v.ValueKind switch
                {
                    JsonValueKind.Null => CaseSetting.None(section, property.Name),
                    JsonValueKind.True => CaseSetting.FromBool(section, property.Name, true),
                    JsonValueKind.False => CaseSetting.FromBool(section, property.Name, false),
                    JsonValueKind.Number or JsonValueKind.String => CaseSetting.FromNumber(section, property.Name, NumberOrSetting(v, path)),
                    _ => throw Fail("'" + path + "' must be a number, true, false or null, not " + Describe(v)),
                });
            }
            return result;
        }

        private double NumberOrSetting(JsonElement v, string path)
        {
            if (v.ValueKind == JsonValueKind.String && v.GetString() is not ("NaN" or "Infinity" or "-Infinity"))
                throw Fail("'" + path + "' must be a number, true, false or null, not " + Describe(v));
            return Number(v, path);
        }

        public static string Describe(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "the number " + e.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };

        private static string Parent(string path)
        {
            int dot = path.LastIndexOf('.');
            return dot < 0 ? "(top level)" : path.Substring(0, dot);
        }

        private static string Format(double v) => double.IsPositiveInfinity(v) ? "Infinity" : double.IsNegativeInfinity(v) ? "-Infinity" : v.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>
        /// Puts quotes around the bare tokens NaN, Infinity and -Infinity outside strings (Python's
        /// json.dumps writes them), so the strict parser accepts them and <see cref="Number"/> reads them back.
        /// </summary>
        public static string QuoteNamedLiterals(string json)
        {
            if (json.IndexOf("NaN", StringComparison.Ordinal) < 0 && json.IndexOf("Infinity", StringComparison.Ordinal) < 0) return json;
            var sb = new StringBuilder(json.Length + 16);
            bool inString = false;
            for (int i = 0; i < json.Length; i++)
            {
                char c = json[i];
                if (inString)
                {
                    sb.Append(c);
                    if (c == '\\' && i + 1 < json.Length) sb.Append(json[++i]);
                    else if (c == '"') inString = false;
                    continue;
                }
                if (c == '"')
                {
                    inString = true;
                    sb.Append(c);
                    continue;
                }
                string? token = Token(json, i, "NaN") ?? Token(json, i, "Infinity") ?? Token(json, i, "-Infinity");
                if (token is not null)
                {
                    sb.Append('"').Append(token).Append('"');
                    i += token.Length - 1;
                    continue;
                }
                sb.Append(c);
            }
            return sb.ToString();
        }

        private static string? Token(string text, int at, string token)
        {
            if (string.CompareOrdinal(text, at, token, 0, token.Length) != 0) return null;
            int end = at + token.Length;
            if (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_')) return null;
            if (at > 0 && (char.IsLetterOrDigit(text[at - 1]) || text[at - 1] == '_')) return null;
            return token;
        }
    }
}
