using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Experiments.Replay;
using AE.Runtime;

namespace AE.Experiments.Tests
{
    /// <summary>The repository root (the folder holding AE.Compiler.sln) and the golden cases beside it.</summary>
    internal static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string Golden => Path.GetFullPath(Path.Combine(Root, "..", "shared", "golden"));

        /// <summary>The controller cases (every json but cell_*.json), sorted.</summary>
        public static string[] ControllerCases() => Directory.GetFiles(Golden, "*.json")
            .Where(f => !Path.GetFileName(f).StartsWith("cell_", StringComparison.Ordinal))
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("AE.Compiler.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
    internal sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ae-experiments-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string Write(string name, string text)
        {
            string full = System.IO.Path.Combine(Path, name);
            File.WriteAllText(full, text);
            return full;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// A hand-written law of the generated shape (nested Options, constructor (int, Options?, ulong),
    /// range checks that throw ArgumentOutOfRangeException): momentum-free gradient descent with an
    /// optional step cap. Signals: L (the loss), gnorm, lr, steps.
    /// </summary>
    public sealed class TestSgd : IOptimizerLaw
    {
        private static readonly string[] Names = { "L", "gnorm", "lr", "steps" };
        private static readonly string[] Rules = { "cap" };

        public sealed class Options
        {
            public double lr { get; set; } = 0.1;
            public bool use_cap { get; set; }
            public long warmup { get; set; } = 3;
            public double step_norm_max { get; set; } = double.PositiveInfinity;
            public double? lr_late { get; set; }
        }

        private readonly double _lr, _lrLate, _cap;
        private readonly long _warmup;
        private readonly bool _useCap;
        private double _loss, _gnorm, _lastLr;
        private bool _capOn = true;

        public TestSgd(int n, Options? options = null, ulong seed = 0)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "dimension 'n' must be at least 1");
            options ??= new Options();
            if (!(options.lr > 0)) throw new ArgumentOutOfRangeException("lr", options.lr, "param 'lr' must lie in (0, inf)");
            Dimension = n;
            _lr = options.lr;
            _lrLate = options.lr_late ?? options.lr / 2;
            _cap = options.step_norm_max;
            _warmup = options.warmup;
            _useCap = options.use_cap;
            Seed = seed;
        }

        public ulong Seed { get; }

        public string LawName => "TestSgd";

        public int Dimension { get; }

        public long StepCount { get; private set; }

        public IReadOnlyList<string> SignalNames => Names;

        public IReadOnlyList<string> RuleIds => Rules;

        public void SetRule(string id, bool enabled)
        {
            if (id != "cap") throw new ArgumentException("no rule " + id, nameof(id));
            _capOn = enabled;
        }

        public double ReadSignal(int index) => index switch
        {
            0 => _loss,
            1 => _gnorm,
            2 => _lastLr,
            3 => StepCount,
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta)
        {
            StepCount++;
            double lr = StepCount > _warmup ? _lrLate : _lr;
            double g2 = 0;
            for (int i = 0; i < grad.Length; i++) g2 += grad[i] * grad[i];
            double gnorm = Math.Sqrt(g2);
            double scale = _useCap && _capOn && lr * gnorm > _cap ? _cap / (lr * gnorm) : 1;
            for (int i = 0; i < theta.Length; i++) theta[i] -= scale * lr * grad[i];
            _loss = loss;
            _gnorm = gnorm;
            _lastLr = lr;
        }

        public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta) => throw new NotSupportedException();
    }

    internal static class Cases
    {
        /// <summary>A small valid quadratic case: 2-d, 3 steps, with the given csv rows after the header.</summary>
        public const string QuadraticJson = """
        {
          "name": "tiny",
          "problem": {"kind": "quadratic", "A": [[3.0, 0.0], [0.0, 1.0]], "b": [1.0, -2.0]},
          "theta0": [0.0, 0.0],
          "steps": 3,
          "config": {"lr": 0.1, "use_cap": false, "step_norm_max": null},
          "agent": {"warmup": 10},
          "columns": ["step", "loss", "gnorm", "theta0", "theta1"],
          "tolerance": {"rel": 1e-09, "abs": 1e-12}
        }
        """;

        public const string QuadraticCsv = "step,loss,gnorm,theta0,theta1\n1,0.0,2.0,0.1,-0.2\n2,-0.5,1.5,0.2,-0.4\n3,-0.75,1.25,0.25,-0.5\n";

        public static GoldenCase Quadratic() => GoldenCase.Parse("tiny.json", QuadraticJson, "tiny.csv", QuadraticCsv);

        public static IEnumerable<string> Lines(string csv) => csv.Split('\n').Where(l => l.Length > 0);
    }
}
