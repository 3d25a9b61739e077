using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using AE.Experiments.Problems;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Experiments.Tests
{
    public class GoldenCaseTests
    {
        private static string Mutate(Action<JsonObject> edit)
        {
            var node = JsonNode.Parse(Cases.QuadraticJson)!.AsObject();
            edit(node);
            return node.ToJsonString();
        }

        private static GoldenCaseException Fails(string json, string? csv = null)
        {
            var ex = Assert.Throws<GoldenCaseException>(() => GoldenCase.Parse("tiny.json", json, "tiny.csv", csv ?? Cases.QuadraticCsv));
            Assert.DoesNotContain('\n', ex.Message);
            Assert.DoesNotContain('\r', ex.Message);
            return ex;
        }

        [Fact]
        public void A_valid_case_is_read_completely()
        {
            var c = Cases.Quadratic();
            Assert.Equal("tiny", c.Name);
            Assert.Equal("tiny.json", c.FileName);
            Assert.Equal("quadratic", c.ProblemKind);
            Assert.IsType<QuadraticProblem>(c.Problem);
            Assert.Equal(new[] { 0.0, 0.0 }, c.Theta0.ToArray());
            Assert.Equal(3, c.Steps);
            Assert.Equal(new[] { "step", "loss", "gnorm", "theta0", "theta1" }, c.Columns);
            Assert.Equal(new Tolerance(1e-9, 1e-12), c.Tolerance);
            Assert.Equal(new[] { "config.lr = 0.1", "config.use_cap = false", "config.step_norm_max = null" }, c.Config.Select(s => s.ToString()));
            Assert.Equal(new[] { CaseSetting.FromNumber("agent", "warmup", 10) }, c.Agent);
            Assert.Equal(4, c.Settings.Count());
            Assert.Equal(1.25, c.Value(2, 2));
            Assert.Equal(new[] { 2.0, -0.5, 1.5, 0.2, -0.4 }, c.Row(1).ToArray());
            Assert.Equal(3, c.ColumnIndex("theta0"));
            Assert.Equal(-1, c.ColumnIndex("nope"));
            Assert.Throws<ArgumentOutOfRangeException>(() => c.Value(3, 0));
        }

        public static TheoryData<string, string> JsonErrors() => new()
        {
            { Mutate(o => o.Remove("problem")), "tiny.json: 'problem' is missing" },
            { Mutate(o => o["problem"] = new JsonArray(1)), "tiny.json: 'problem' must be an object, not an array" },
            { Mutate(o => o["problem"]!.AsObject().Remove("kind")), "tiny.json: 'problem.kind' is missing" },
            { Mutate(o => o["problem"]!["kind"] = "cubic"), "tiny.json: 'problem.kind' is 'cubic'; expected quadratic, rosenbrock or linreg" },
            { Mutate(o => o["problem"] = JsonNode.Parse("""{"kind": "linreg", "Y": [1, 2]}""")), "tiny.json: 'problem.X' is missing" },
            { Mutate(o => o["problem"] = JsonNode.Parse("""{"kind": "linreg", "X": [[1, 2], [3]], "Y": [1, 2]}""")), "tiny.json: 'problem.X[1]' has 1 values, but 'problem.X[0]' has 2" },
            { Mutate(o => o["problem"] = JsonNode.Parse("""{"kind": "linreg", "X": [[1, 2], [3, 4]], "Y": [1]}""")), "tiny.json: 'problem.Y' has 1 values, but 'problem.X' has 2 rows" },
            { Mutate(o => o["problem"]!["A"]![1]![0] = "x"), "tiny.json: 'problem.A[1][0]' must be a number, not a string" },
            { Mutate(o => o["problem"]!["A"] = JsonNode.Parse("[[1, 0]]")), "tiny.json: 'problem.A' has 1 rows, but 'problem.b' has 2 values (A must be 2×2)" },
            { Mutate(o => o["problem"]!["A"] = JsonNode.Parse("[[1, 0], [0]]")), "tiny.json: 'problem.A[1]' has 1 values, but 'problem.b' has 2 (A must be 2×2)" },
            { Mutate(o => o["problem"]!["b"] = JsonNode.Parse("[]")), "tiny.json: 'problem.b' is empty" },
            { Mutate(o => o["problem"] = JsonNode.Parse("""{"kind": "rosenbrock", "a": "two"}""")), "tiny.json: 'problem.a' must be a number, not a string" },
            { Mutate(o => o["theta0"] = JsonNode.Parse("[0, 0, 0]")), "tiny.json: 'theta0' has 3 values, but the quadratic problem has dimension 2" },
            { Mutate(o => o.Remove("theta0")), "tiny.json: 'theta0' is missing" },
            { Mutate(o => o["steps"] = 2.5), "tiny.json: 'steps' must be a whole number >= 1, not 2.5" },
            { Mutate(o => o["steps"] = 0), "tiny.json: 'steps' must be a whole number >= 1, not 0" },
            { Mutate(o => o["steps"] = "3"), "tiny.json: 'steps' must be a number, not a string" },
            { Mutate(o => o.Remove("config")), "tiny.json: 'config' is missing" },
            { Mutate(o => o["config"] = 3), "tiny.json: 'config' must be an object, not the number 3" },
            { Mutate(o => o["config"]!["lr"] = new JsonArray(1)), "tiny.json: 'config.lr' must be a number, true, false or null, not an array" },
            { Mutate(o => o["config"]!["lr"] = "fast"), "tiny.json: 'config.lr' must be a number, true, false or null, not a string" },
            { Mutate(o => o["agent"]!["lr"] = 1), "tiny.json: 'agent.lr' repeats 'config.lr'" },
            { Mutate(o => o["columns"] = "x"), "tiny.json: 'columns' must be an array of names, not a string" },
            { Mutate(o => o["columns"] = JsonNode.Parse("""["step", "loss", "loss"]""")), "tiny.json: 'columns[2]' repeats the column 'loss'" },
            { Mutate(o => o["columns"] = JsonNode.Parse("""["step", 3]""")), "tiny.json: 'columns[1]' must be a string, not the number 3" },
            { Mutate(o => o["tolerance"]!["rel"] = -1), "tiny.json: 'tolerance.rel' must be a finite number >= 0, not -1" },
            { Mutate(o => o["tolerance"]!["abs"] = JsonNode.Parse("1e309")), "tiny.json: 'tolerance.abs' must be a finite number >= 0, not Infinity" },
            { Mutate(o => o["tolerance"]!.AsObject().Remove("abs")), "tiny.json: 'tolerance.abs' is missing" },
            { "[1, 2]", "tiny.json: the top level must be a JSON object, not an array" },
        };

        [Theory]
        [MemberData(nameof(JsonErrors))]
        public void Malformed_json_is_one_line_naming_the_file_and_the_field(string json, string message)
        {
            Assert.Equal(message, Fails(json).Message);
        }

        [Fact]
        public void Invalid_json_names_the_line()
        {
            var ex = Fails("{\n  \"problem\": {\n    \"kind\": \"quadratic\",\n  }\n}");
            Assert.StartsWith("tiny.json: not valid JSON at line 4, column ", ex.Message, StringComparison.Ordinal);
            // an empty file says so (it quoted the parser's "Expected the input to start with a valid JSON token, when isFinalBlock is true")
            Assert.Equal("tiny.json: not valid JSON: the file holds no JSON value (it is empty or white space)", Fails("").Message);
            Assert.Equal("tiny.json: not valid JSON: the file holds no JSON value (it is empty or white space)", Fails(" \n ").Message);
        }

        public static TheoryData<string, string> CsvErrors() => new()
        {
            { "", "tiny.csv: empty; expected a header line and 3 rows" },
            { "step,loss,gnorm,theta0\n1,0,0,0\n", "tiny.csv: the header has 4 columns, but 'columns' in tiny.json has 5" },
            { "step,loss,gn,theta0,theta1\n", "tiny.csv: header column 3 is 'gn', but 'columns' in tiny.json says 'gnorm'" },
            { "step,loss,gnorm,theta0,theta1\n1,0,0,0,0\n2,0,0,0,0\n", "tiny.csv: 2 rows, but 'steps' in tiny.json is 3" },
            { "step,loss,gnorm,theta0,theta1\n1,0,0,0,0\n2,0,abc,0,0\n3,0,0,0,0\n", "tiny.csv: line 3, column 'gnorm': 'abc' is not a number" },
            { "step,loss,gnorm,theta0,theta1\n1,0,0,0\n2,0,0,0,0\n3,0,0,0,0\n", "tiny.csv: line 2 has 4 values, but the header has 5" },
            { "step,loss,gnorm,theta0,theta1\n1,0,0,0,0\n5,0,0,0,0\n3,0,0,0,0\n", "tiny.csv: line 3: step is 5, expected 2 (one row per step, in order)" },
            { "step,loss,gnorm,theta0,theta1\n1,0,0,0,0\n\n3,0,0,0,0\n", "tiny.csv: line 3 is empty" },
        };

        [Theory]
        [MemberData(nameof(CsvErrors))]
        public void Malformed_csv_is_one_line_naming_the_file_and_the_line(string csv, string message)
        {
            Assert.Equal(message, Fails(Cases.QuadraticJson, csv).Message);
        }

        [Fact]
        public void Python_spellings_of_non_finite_numbers_and_windows_line_ends_are_accepted()
        {
            string json = Cases.QuadraticJson.Replace("\"step_norm_max\": null", "\"step_norm_max\": Infinity, \"x\": -Infinity, \"y\": NaN, \"note_NaN\": 1", StringComparison.Ordinal);
            string csv = "\uFEFFstep,loss,gnorm,theta0,theta1\r\n1,inf,-inf,nan,1e-3\r\n2,Infinity,NaN,0,0\r\n3,0,0,0,0\r\n\r\n";
            var c = GoldenCase.Parse("tiny.json", json, "tiny.csv", csv);
            Assert.Equal(double.PositiveInfinity, c.Config.Single(s => s.Name == "step_norm_max").Number);
            Assert.Equal(double.NegativeInfinity, c.Config.Single(s => s.Name == "x").Number);
            Assert.True(double.IsNaN(c.Config.Single(s => s.Name == "y").Number));
            Assert.Equal(1, c.Config.Single(s => s.Name == "note_NaN").Number);
            Assert.Equal(new[] { 1, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1e-3 }, c.Row(0).ToArray());
            Assert.Equal(3, c.RowCount);
        }

        [Fact]
        public void Missing_files_are_named()
        {
            using var dir = new TempDirectory();
            var ex = Assert.Throws<GoldenCaseException>(() => GoldenCase.Load(Path.Combine(dir.Path, "nope.json")));
            Assert.Equal("nope.json: file not found", ex.Message);

            string json = dir.Write("tiny.json", Cases.QuadraticJson);
            ex = Assert.Throws<GoldenCaseException>(() => GoldenCase.Load(json));
            Assert.Equal("tiny.csv: file not found (the reference trajectory of tiny.json sits beside it with the same name)", ex.Message);

            dir.Write("tiny.csv", Cases.QuadraticCsv);
            Assert.Equal(3, GoldenCase.Load(json).Steps);

            Directory.CreateDirectory(Path.Combine(dir.Path, "d.json"));
            ex = Assert.Throws<GoldenCaseException>(() => GoldenCase.Load(Path.Combine(dir.Path, "d.json")));
            Assert.Equal("d.json: is a folder, not a file", ex.Message);
        }

        [Fact]
        public void Every_shipped_controller_case_loads()
        {
            var names = RepoPaths.ControllerCases();
            Assert.Equal(new[] { "linreg_10d", "quadratic_2d", "quadratic_no_resonance", "rosenbrock_2d" }, names);
            foreach (var name in names)
            {
                var c = GoldenCase.Load(Path.Combine(RepoPaths.Golden, name + ".json"));
                Assert.Equal(name, c.Name);
                Assert.Equal(c.Problem.Dimension, c.Theta0.Length);
                Assert.Equal("step", c.Columns[0]);
                Assert.Equal(new Tolerance(1e-9, 1e-12), c.Tolerance);
                Assert.Contains(c.Agent, s => s.Name == "clip_grad_norm" && s.IsNone);
                Assert.Contains(c.Config, s => s.Name == "step_norm_max" && s.IsNone);
            }
            var linreg = GoldenCase.Load(Path.Combine(RepoPaths.Golden, "linreg_10d.json"));
            Assert.Equal(10, linreg.Problem.Dimension);
            Assert.Equal(64, ((LinearRegressionProblem)linreg.Problem).Rows);
            Assert.Equal(1000, linreg.Steps);
            var rosenbrock = (RosenbrockProblem)GoldenCase.Load(Path.Combine(RepoPaths.Golden, "rosenbrock_2d.json")).Problem;
            Assert.Equal((1.0, 100.0), (rosenbrock.A, rosenbrock.B));
        }

        [Fact]
        public void Rosenbrock_takes_optional_a_and_b()
        {
            string json = Cases.QuadraticJson.Replace("{\"kind\": \"quadratic\", \"A\": [[3.0, 0.0], [0.0, 1.0]], \"b\": [1.0, -2.0]}", "{\"kind\": \"rosenbrock\", \"a\": 2, \"b\": 10}", StringComparison.Ordinal);
            Assert.NotEqual(Cases.QuadraticJson, json);
            var p = (RosenbrockProblem)GoldenCase.Parse("tiny.json", json, "tiny.csv", Cases.QuadraticCsv).Problem;
            Assert.Equal((2.0, 10.0), (p.A, p.B));
        }
    }
}
