using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Dsl.Eval;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The language expresses the seed exactly: laws/ae_sgdm.ae, run by the reference interpreter,
    /// replays every controller trajectory the seed's own PyTorch code produced (../shared/golden).
    /// </summary>
    public class SeedConformanceTests
    {
        public static string Golden => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "golden"));

        public static string[] CaseNames() => Directory.GetFiles(Golden, "*.json")
            .Where(f => !Path.GetFileName(f).StartsWith("cell_", StringComparison.Ordinal))
            .Select(f => Path.GetFileNameWithoutExtension(f)!)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

        public static TheoryData<string> Cases()
        {
            var data = new TheoryData<string>();
            foreach (var name in CaseNames()) data.Add(name);
            return data;
        }

        [Fact]
        public void Every_controller_case_is_found()
        {
            Assert.Equal(new[] { "linreg_10d", "quadratic_2d", "quadratic_no_resonance", "rosenbrock_2d" }, CaseNames());
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Ae_sgdm_replays_the_seed(string name)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Golden, name + ".json")));
            var root = json.RootElement;
            var problem = GoldenProblem.From(root.GetProperty("problem"));
            var theta0 = root.GetProperty("theta0").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            int steps = root.GetProperty("steps").GetInt32();
            double rel = root.GetProperty("tolerance").GetProperty("rel").GetDouble();
            double abs = root.GetProperty("tolerance").GetProperty("abs").GetDouble();

            var lawPath = Path.Combine(RepoPaths.Laws, "ae_sgdm.ae");
            var check = AeCompiler.Check(new SourceFile("laws/ae_sgdm.ae", File.ReadAllText(lawPath)));
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            var unit = check.Program!.Units[0];

            var overrides = SeedSettings(root, unit.Params.Select(p => p.Name));
            var interp = new Interpreter(unit,
                dims: new Dictionary<string, int> { ["n"] = theta0.Length },
                overrides: overrides,
                initialState: new Dictionary<string, double[]> { ["theta"] = theta0 });

            var rows = File.ReadAllLines(Path.Combine(Golden, name + ".csv"));
            var columns = rows[0].Split(',');
            Assert.Equal(steps, rows.Length - 1);
            double worst = 0;
            string worstAt = "";
            for (int step = 1; step <= steps; step++)
            {
                var theta = interp.Get("theta");
                var (loss, grad) = problem.Evaluate(theta);
                interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                var expected = rows[step].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                for (int c = 1; c < columns.Length; c++)
                {
                    double actual = Column(interp, columns[c]);
                    double want = expected[c];
                    double err = Math.Abs(actual - want);
                    bool ok = err <= abs || err <= rel * Math.Abs(want);
                    Assert.True(ok, $"{name} step {step} column {columns[c]}: expected {want:R}, got {actual:R}");
                    double relErr = want == 0 ? err : err / Math.Abs(want);
                    if (relErr > worst) { worst = relErr; worstAt = $"step {step} {columns[c]}"; }
                }
            }
        }

        private static double Column(Interpreter interp, string column) => column switch
        {
            "loss" => interp.Scalar("L"),
            _ when column.StartsWith("theta", StringComparison.Ordinal) => interp.Get("theta")[int.Parse(column.Substring(5), CultureInfo.InvariantCulture)],
            _ => interp.Scalar(column),
        };

        /// <summary>
        /// Maps the seed's AEConfig and AEAgent arguments onto the law's params: None becomes the
        /// value that disables the same guard in the law (0 for budgets, inf for caps).
        /// </summary>
        public static Dictionary<string, double[]> SeedSettings(JsonElement root, IEnumerable<string> paramNames)
        {
            var names = new HashSet<string>(paramNames, StringComparer.Ordinal);
            var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
            var noneMeans = new Dictionary<string, double>
            {
                ["max_dlog_alpha"] = 0, ["max_d_mu"] = 0, ["max_dlog_sigma"] = 0,
                ["step_norm_max"] = double.PositiveInfinity, ["clip_grad_norm"] = double.PositiveInfinity,
                ["param_abs_max"] = 0,
            };
            void Add(string key, JsonElement value)
            {
                Assert.True(names.Contains(key), $"the seed setting '{key}' has no param in the law");
                double v = value.ValueKind switch
                {
                    JsonValueKind.Null => noneMeans.TryGetValue(key, out var d) ? d : throw new InvalidOperationException($"'{key}' is None in the case, and the law has no meaning for that"),
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    _ => value.GetDouble(),
                };
                result[key] = new[] { v };
            }
            foreach (var p in root.GetProperty("config").EnumerateObject()) Add(p.Name, p.Value);
            foreach (var p in root.GetProperty("agent").EnumerateObject()) Add(p.Name, p.Value);
            return result;
        }
    }

    /// <summary>The reference problems of ../shared/golden with their exact gradients.</summary>
    public sealed class GoldenProblem
    {
        private readonly Func<double[], (double, double[])> _f;
        private GoldenProblem(Func<double[], (double, double[])> f) { _f = f; }
        public (double Loss, double[] Grad) Evaluate(double[] theta) => _f(theta);

        public static GoldenProblem From(JsonElement p)
        {
            string kind = p.GetProperty("kind").GetString()!;
            switch (kind)
            {
                case "quadratic":
                {
                    var A = p.GetProperty("A").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
                    var b = p.GetProperty("b").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                    int n = b.Length;
                    return new GoldenProblem(theta =>
                    {
                        double quad = 0, lin = 0;
                        var grad = new double[n];
                        for (int i = 0; i < n; i++)
                        {
                            double ai = 0;
                            for (int j = 0; j < n; j++) ai += A[i][j] * theta[j];
                            quad += theta[i] * ai;
                            lin += b[i] * theta[i];
                            double sym = 0;
                            for (int j = 0; j < n; j++) sym += 0.5 * (A[i][j] + A[j][i]) * theta[j];
                            grad[i] = sym - b[i];
                        }
                        return (0.5 * quad - lin, grad);
                    });
                }
                case "rosenbrock":
                {
                    double a = p.TryGetProperty("a", out var av) ? av.GetDouble() : 1.0;
                    double bb = p.TryGetProperty("b", out var bv) ? bv.GetDouble() : 100.0;
                    return new GoldenProblem(t =>
                    {
                        double x = t[0], y = t[1], r = y - x * x;
                        double loss = (a - x) * (a - x) + bb * r * r;
                        return (loss, new[] { -2 * (a - x) - 4 * bb * x * r, 2 * bb * r });
                    });
                }
                case "linreg":
                {
                    var X = p.GetProperty("X").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
                    var Y = p.GetProperty("Y").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                    int rows = X.Length, n = X[0].Length;
                    return new GoldenProblem(theta =>
                    {
                        var grad = new double[n];
                        double loss = 0;
                        for (int r = 0; r < rows; r++)
                        {
                            double pred = 0;
                            for (int j = 0; j < n; j++) pred += X[r][j] * theta[j];
                            double e = pred - Y[r];
                            loss += e * e;
                            for (int j = 0; j < n; j++) grad[j] += 2 * e * X[r][j] / rows;
                        }
                        return (loss / rows, grad);
                    });
                }
                default: throw new InvalidOperationException("unknown problem kind " + kind);
            }
        }
    }
}
