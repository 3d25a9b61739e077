using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Experiments.Problems;

namespace AE.Experiments.Replay
{
    /// <summary>
    /// One controller case of <c>../shared/golden</c>: <c>name.json</c> (problem, theta0, steps, config,
    /// agent, columns, tolerance) and the reference trajectory <c>name.csv</c> beside it (a header that
    /// repeats <see cref="Columns"/>, then one row per step). Loading validates everything a replay
    /// relies on and reports the first problem as a <see cref="GoldenCaseException"/> whose one-line
    /// message names the file and the field: <c>linreg_10d.json: 'problem.X' is missing</c>.
    /// </summary>
    public sealed class GoldenCase
    {
        private readonly double[] _theta0;
        private readonly double[] _values; // RowCount × Columns.Count, row-major

        private GoldenCase(string name, string fileName, string? note, string problemKind, IProblem problem, double[] theta0, int steps,
            IReadOnlyList<CaseSetting> config, IReadOnlyList<CaseSetting> agent, IReadOnlyList<string> columns, Tolerance tolerance, double[] values)
        {
            Name = name;
            FileName = fileName;
            Note = note;
            ProblemKind = problemKind;
            Problem = problem;
            _theta0 = theta0;
            Steps = steps;
            Config = config;
            Agent = agent;
            Columns = columns;
            Tolerance = tolerance;
            _values = values;
        }

        /// <summary>The case's name: its file name without <c>.json</c>.</summary>
        public string Name { get; }

        /// <summary>The json file's name, as messages show it.</summary>
        public string FileName { get; }

        /// <summary>The case's <c>note</c>, when it has one.</summary>
        public string? Note { get; }

        /// <summary><c>quadratic</c>, <c>rosenbrock</c> or <c>linreg</c>.</summary>
        public string ProblemKind { get; }

        public IProblem Problem { get; }

        public ReadOnlySpan<double> Theta0 => _theta0;

        /// <summary>The number of steps, which is also the number of rows of the trajectory.</summary>
        public int Steps { get; }

        /// <summary>The resolved <c>AEConfig</c> fields, in file order.</summary>
        public IReadOnlyList<CaseSetting> Config { get; }

        /// <summary>The agent's settings (init_alpha, init_mu, init_sigma, clip_grad_norm), in file order.</summary>
        public IReadOnlyList<CaseSetting> Agent { get; }

        /// <summary><see cref="Config"/> then <see cref="Agent"/>.</summary>
        public IEnumerable<CaseSetting> Settings => Config.Concat(Agent);

        /// <summary>The trajectory's columns: <c>step</c>, <c>loss</c>, signals, <c>theta0</c>...</summary>
        public IReadOnlyList<string> Columns { get; }

        public Tolerance Tolerance { get; }

        /// <summary>Rows of the reference trajectory (= <see cref="Steps"/>); row r holds the values after step r + 1.</summary>
        public int RowCount => Steps;

        /// <summary>The reference value at row <paramref name="row"/> (0-based) of column <paramref name="column"/>.</summary>
        public double Value(int row, int column)
        {
            if ((uint)row >= (uint)Steps) throw new ArgumentOutOfRangeException(nameof(row), row, "the case has " + Steps + " rows");
            if ((uint)column >= (uint)Columns.Count) throw new ArgumentOutOfRangeException(nameof(column), column, "the case has " + Columns.Count + " columns");
            return _values[row * Columns.Count + column];
        }

        /// <summary>One row of the reference trajectory, every column.</summary>
        public ReadOnlySpan<double> Row(int row)
        {
            if ((uint)row >= (uint)Steps) throw new ArgumentOutOfRangeException(nameof(row), row, "the case has " + Steps + " rows");
            return new ReadOnlySpan<double>(_values, row * Columns.Count, Columns.Count);
        }

        /// <summary>The index of a column, or -1.</summary>
        public int ColumnIndex(string column)
        {
            for (int i = 0; i < Columns.Count; i++)
                if (string.Equals(Columns[i], column, StringComparison.Ordinal)) return i;
            return -1;
        }

        /// <summary>Loads <paramref name="jsonPath"/> and the <c>.csv</c> of the same name beside it.</summary>
        /// <exception cref="GoldenCaseException">a file that is missing, unreadable or malformed</exception>
        public static GoldenCase Load(string jsonPath)
        {
            if (jsonPath is null) throw new ArgumentNullException(nameof(jsonPath));
            string jsonName = Path.GetFileName(jsonPath);
            if (jsonName.Length == 0) jsonName = jsonPath;
            string csvPath = Path.ChangeExtension(jsonPath, ".csv");
            string csvName = Path.GetFileName(csvPath);
            string json = ReadText(jsonPath, jsonName, null);
            if (!File.Exists(csvPath) && LooksLikeCellReference(json))
                throw new GoldenCaseException(jsonName + ": a cell reference (params, inputs, outputs, grads), not a controller case; check a cell against it with 'ae grad <cell.ae> " + jsonName + "'");
            // The file named comes first: a .json that is not JSON is its own error, whether or not its .csv exists.
            new JsonFields(jsonName).Parse(json).Dispose();
            string csv = ReadText(csvPath, csvName, jsonName);
            return Parse(jsonName, json, csvName, csv);
        }

        /// <summary>A JSON object with the fields of a cell reference file (<c>ae grad</c>'s), read loosely: only to name the mistake.</summary>
        private static bool LooksLikeCellReference(string json)
        {
            try
            {
                using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
                var root = document.RootElement;
                return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("params", out _) && root.TryGetProperty("grads", out _);
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>Parses a case from its two texts; the names are used in messages and for <see cref="Name"/>.</summary>
        /// <exception cref="GoldenCaseException">malformed content</exception>
        public static GoldenCase Parse(string jsonName, string json, string csvName, string csv)
        {
            if (jsonName is null) throw new ArgumentNullException(nameof(jsonName));
            if (json is null) throw new ArgumentNullException(nameof(json));
            if (csvName is null) throw new ArgumentNullException(nameof(csvName));
            if (csv is null) throw new ArgumentNullException(nameof(csv));

            var reader = new JsonFields(jsonName);
            using var document = reader.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw reader.Fail("the top level must be a JSON object, not " + JsonFields.Describe(root));

            string? note = root.TryGetProperty("note", out var noteElement) && noteElement.ValueKind == JsonValueKind.String ? noteElement.GetString() : null;
            var (kind, problem) = ReadProblem(reader, reader.Object(root, "problem", "problem"));

            var theta0 = reader.Vector(reader.Required(root, "theta0", "theta0"), "theta0");
            if (theta0.Length != problem.Dimension)
                throw reader.Fail("'theta0' has " + Plural.Count(theta0.Length, "value") + ", but the " + kind + " problem has dimension " + problem.Dimension);

            int steps = reader.WholeNumber(reader.Required(root, "steps", "steps"), "steps", 1);
            var configObject = reader.Object(root, "config", "config");
            CheckTensorFields(reader, configObject);
            var config = reader.Settings(configObject, "config", TensorFields);
            var agent = root.TryGetProperty("agent", out _) ? reader.Settings(reader.Object(root, "agent", "agent"), "agent") : Array.Empty<CaseSetting>();
            foreach (var a in agent)
            {
                if (config.Any(c => c.Name == a.Name)) throw reader.Fail("'agent." + a.Name + "' repeats 'config." + a.Name + "'");
            }

            var columns = ReadColumns(reader, reader.Required(root, "columns", "columns"));
            var toleranceObject = reader.Object(root, "tolerance", "tolerance");
            var tolerance = new Tolerance(
                reader.NonNegative(reader.Required(toleranceObject, "rel", "tolerance.rel"), "tolerance.rel"),
                reader.NonNegative(reader.Required(toleranceObject, "abs", "tolerance.abs"), "tolerance.abs"));

            var values = ReadTrajectory(csvName, csv, jsonName, columns, steps);
            string name = jsonName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? jsonName.Substring(0, jsonName.Length - 5) : jsonName;
            return new GoldenCase(name, jsonName, note, kind, problem, theta0, steps, config, agent, columns, tolerance, values);
        }

        /// <summary>AEConfig's fields that place the seed's tensors rather than set the law: not law parameters.</summary>
        private static readonly string[] TensorFields = { "device", "dtype" };

        /// <summary>
        /// <c>config.device</c> may be any string (where the seed's tensors lived); <c>config.dtype</c> must be float64, as a
        /// replay computes and compares in float64 (a float32 run of the seed differs from it far beyond any tolerance here).
        /// </summary>
        private static void CheckTensorFields(JsonFields reader, JsonElement config)
        {
            if (config.TryGetProperty("device", out var device) && device.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                throw reader.Fail("'config.device' must be a string such as \"cpu\" (where the seed's tensors were), not " + JsonFields.Describe(device));
            if (config.TryGetProperty("dtype", out var dtype) && dtype.ValueKind != JsonValueKind.Null)
            {
                string? text = dtype.ValueKind == JsonValueKind.String ? dtype.GetString() : null;
                if (text is not ("float64" or "torch.float64" or "double" or "torch.double"))
                    throw reader.Fail("'config.dtype' is " + (text is null ? JsonFields.Describe(dtype) : "\"" + text + "\"") + "; a replay computes in float64, so the case must be of torch.float64");
            }
        }

        private static string ReadText(string path, string name, string? ofJson)
        {
            try
            {
                if (Directory.Exists(path)) throw new GoldenCaseException(name + ": is a folder, not a file");
                return File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new GoldenCaseException(name + ": file not found" + (ofJson is null ? "" : " (the reference trajectory of " + ofJson + " sits beside it with the same name)"), ex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException or NotSupportedException)
            {
                throw new GoldenCaseException(name + ": cannot read: " + OneLine(ex.Message), ex);
            }
        }

        internal static string OneLine(string text) => text.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ');

        private static (string Kind, IProblem Problem) ReadProblem(JsonFields reader, JsonElement problem)
        {
            var kindElement = reader.Required(problem, "kind", "problem.kind");
            if (kindElement.ValueKind != JsonValueKind.String) throw reader.Fail("'problem.kind' must be a string, not " + JsonFields.Describe(kindElement));
            string kind = kindElement.GetString()!;
            switch (kind)
            {
                case "quadratic":
                {
                    var b = reader.Vector(reader.Required(problem, "b", "problem.b"), "problem.b");
                    var a = reader.Matrix(reader.Required(problem, "A", "problem.A"), "problem.A");
                    if (a.Length != b.Length) throw reader.Fail("'problem.A' has " + a.Length + " rows, but 'problem.b' has " + b.Length + " values (A must be " + b.Length + "×" + b.Length + ")");
                    for (int i = 0; i < a.Length; i++)
                        if (a[i].Length != b.Length) throw reader.Fail("'problem.A[" + i + "]' has " + a[i].Length + " values, but 'problem.b' has " + b.Length + " (A must be " + b.Length + "×" + b.Length + ")");
                    return (kind, new QuadraticProblem(a, b));
                }
                case "rosenbrock":
                {
                    double a = problem.TryGetProperty("a", out var av) && av.ValueKind != JsonValueKind.Null ? reader.Finite(av, "problem.a") : 1.0;
                    double b = problem.TryGetProperty("b", out var bv) && bv.ValueKind != JsonValueKind.Null ? reader.Finite(bv, "problem.b") : 100.0;
                    return (kind, new RosenbrockProblem(a, b));
                }
                case "linreg":
                {
                    var x = reader.Matrix(reader.Required(problem, "X", "problem.X"), "problem.X");
                    var y = reader.Vector(reader.Required(problem, "Y", "problem.Y"), "problem.Y");
                    for (int r = 1; r < x.Length; r++)
                        if (x[r].Length != x[0].Length) throw reader.Fail("'problem.X[" + r + "]' has " + x[r].Length + " values, but 'problem.X[0]' has " + x[0].Length);
                    if (y.Length != x.Length) throw reader.Fail("'problem.Y' has " + y.Length + " values, but 'problem.X' has " + x.Length + " rows");
                    return (kind, new LinearRegressionProblem(x, y));
                }
                default:
                    throw reader.Fail("'problem.kind' is '" + kind + "'; expected quadratic, rosenbrock or linreg");
            }
        }

        private static IReadOnlyList<string> ReadColumns(JsonFields reader, JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Array) throw reader.Fail("'columns' must be an array of names, not " + JsonFields.Describe(element));
            var columns = new List<string>();
            int i = 0;
            foreach (var item in element.EnumerateArray())
            {
                string path = "columns[" + i + "]";
                if (item.ValueKind != JsonValueKind.String) throw reader.Fail("'" + path + "' must be a string, not " + JsonFields.Describe(item));
                string name = item.GetString()!;
                if (name.Trim().Length == 0) throw reader.Fail("'" + path + "' is empty");
                if (columns.Contains(name)) throw reader.Fail("'" + path + "' repeats the column '" + name + "'");
                columns.Add(name);
                i++;
            }
            if (columns.Count == 0) throw reader.Fail("'columns' is empty");
            return columns;
        }

        private static double[] ReadTrajectory(string csvName, string csv, string jsonName, IReadOnlyList<string> columns, int steps)
        {
            GoldenCaseException Fail(string message) => new(csvName + ": " + message);

            var lines = csv.Split('\n');
            int count = lines.Length;
            for (int i = 0; i < count; i++) lines[i] = lines[i].TrimEnd('\r');
            while (count > 0 && lines[count - 1].Trim().Length == 0) count--; // trailing blank lines
            if (count == 0) throw Fail("empty; expected a header line and " + steps + " rows");

            string headerLine = lines[0].Length > 0 && lines[0][0] == '\uFEFF' ? lines[0].Substring(1) : lines[0];
            var header = headerLine.Split(',').Select(h => h.Trim()).ToArray();
            if (header.Length != columns.Count)
                throw Fail("the header has " + header.Length + " columns, but 'columns' in " + jsonName + " has " + columns.Count);
            for (int c = 0; c < header.Length; c++)
            {
                if (!string.Equals(header[c], columns[c], StringComparison.Ordinal))
                    throw Fail("header column " + (c + 1) + " is '" + header[c] + "', but 'columns' in " + jsonName + " says '" + columns[c] + "'");
            }

            int rows = count - 1;
            if (rows != steps) throw Fail(rows + " rows, but 'steps' in " + jsonName + " is " + steps);

            int stepColumn = -1;
            for (int c = 0; c < columns.Count; c++) if (columns[c] == "step") stepColumn = c;

            var values = new double[rows * columns.Count];
            for (int r = 0; r < rows; r++)
            {
                int lineNumber = r + 2;
                string line = lines[r + 1];
                if (line.Trim().Length == 0) throw Fail("line " + lineNumber + " is empty");
                var cells = line.Split(',');
                if (cells.Length != columns.Count) throw Fail("line " + lineNumber + " has " + cells.Length + " values, but the header has " + columns.Count);
                for (int c = 0; c < cells.Length; c++)
                {
                    if (!TryParseNumber(cells[c], out double v))
                        throw Fail("line " + lineNumber + ", column '" + columns[c] + "': '" + Shorten(cells[c].Trim()) + "' is not a number");
                    values[r * columns.Count + c] = v;
                }
                if (stepColumn >= 0 && values[r * columns.Count + stepColumn] != r + 1)
                    throw Fail("line " + lineNumber + ": step is " + cells[stepColumn].Trim() + ", expected " + (r + 1) + " (one row per step, in order)");
            }
            return values;
        }

        private static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 37) + "...";

        /// <summary>A number as Python writes one: <c>0.1</c>, <c>1e-12</c>, <c>inf</c>, <c>-inf</c>, <c>nan</c>.</summary>
        public static bool TryParseNumber(string text, out double value)
        {
            if (text is null) throw new ArgumentNullException(nameof(text));
            string t = text.Trim();
            switch (t.ToLowerInvariant())
            {
                case "inf": case "+inf": case "infinity": case "+infinity": value = double.PositiveInfinity; return true;
                case "-inf": case "-infinity": value = double.NegativeInfinity; return true;
                case "nan": case "+nan": case "-nan": value = double.NaN; return true;
            }
            return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
