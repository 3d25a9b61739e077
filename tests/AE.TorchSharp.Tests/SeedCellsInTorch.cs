using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Experiments.Cells;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using RefTensor = AE.Experiments.Cells.Tensor;
using Tensor = TorchSharp.torch.Tensor;

namespace AE.TorchSharp.Tests
{
    /// <summary>
    /// The seeds' cells written with TorchSharp ops (the modules of tools/gen-cell-reference.py, translated line by line),
    /// time-major as the cell module takes its sequences, with the parameters by PyTorch's names: TorchSharp's own
    /// autograd of these is the reference the cell module's generated adjoint is compared with.
    /// </summary>
    internal static class SeedCellsInTorch
    {
        static Tensor Linear(IReadOnlyDictionary<string, Tensor> p, string layer, Tensor x) =>
            nn.functional.linear(x, p[layer + ".weight"], p[layer + ".bias"]);

        /// <summary>nn.Sequential(Linear, Tanh, Linear).</summary>
        static Tensor Mlp(IReadOnlyDictionary<string, Tensor> p, string net, Tensor x) =>
            Linear(p, net + ".2", Linear(p, net + ".0", x).tanh());

        /// <summary>Seed 000's AMELayer (AMECell then the readout) over x, eps [time, batch, ...]: y, the per-step MSE against target, the final theta and C.</summary>
        public static Dictionary<string, Tensor> AmeLayer(IReadOnlyDictionary<string, Tensor> p, Tensor x, Tensor eps, Tensor target)
        {
            long time = x.shape[0], batch = x.shape[1];
            var theta = zeros(new long[] { batch, 32 }, ScalarType.Float64);
            var c = zeros(new long[] { batch, 16 }, ScalarType.Float64);
            var ys = new List<Tensor>();
            for (long t = 0; t < time; t++)
            {
                var drift = Mlp(p, "f_net", cat(new[] { x[t], c }, -1));
                var sigma = nn.functional.softplus(Mlp(p, "sigma_net", c)) + 1e-3;
                var noise = sigma * eps[t];
                var dither = Mlp(p, "d_net", c).sin();
                var macro = Mlp(p, "m_net", c).tanh();
                theta = theta + drift + noise + dither + macro;
                c = c + Mlp(p, "g_net", cat(new[] { theta, c }, -1));
                ys.Add(Linear(p, "readout", theta));
            }
            var y = stack(ys);
            return new Dictionary<string, Tensor>
            {
                ["y"] = y, ["mse"] = (y - target).pow(2).mean(new long[] { -1 }), ["theta"] = theta, ["C"] = c,
            };
        }

        /// <summary>Seed 002's AMEDSynth over eps [time, batch, 1] (the seed runs one sample): y, the per-step squared error against target, the final theta and C.</summary>
        public static Dictionary<string, Tensor> AmedSynth(IReadOnlyDictionary<string, Tensor> p, Tensor eps, Tensor target)
        {
            long time = eps.shape[0], batch = eps.shape[1];
            var theta = zeros(new long[] { batch, 1 }, ScalarType.Float64);
            var c = zeros(new long[] { batch, 1 }, ScalarType.Float64);
            var ys = new List<Tensor>();
            for (long t = 0; t < time; t++)
            {
                var drift = Mlp(p, "f_net", c);
                var sigma = nn.functional.softplus(Mlp(p, "sigma_net", c)) + 1e-3;
                var noise = sigma * eps[t];
                var dither = (Mlp(p, "d_net", c) + 0.01 * t).sin();
                theta = theta + drift + noise + dither;
                c = c + 0.01 * theta.tanh();
                ys.Add(theta);
            }
            var y = stack(ys);
            return new Dictionary<string, Tensor>
            {
                ["y"] = y, ["mse"] = (y - target).pow(2).mean(new long[] { -1 }), ["theta"] = theta, ["C"] = c,
            };
        }

        /// <summary>Seed 003's DynamicsModelResidual (FNetResidual, the alpha-filtered g) from N0, g0 [batch, 3] over ys, rs [time, batch, 3].</summary>
        public static Dictionary<string, Tensor> DynamicsModelResidual(IReadOnlyDictionary<string, Tensor> p, Tensor n0, Tensor g0, Tensor ys, Tensor rs)
        {
            var alpha = p["alpha"];
            Tensor n = n0, g = g0;
            var ns = new List<Tensor>();
            var gs = new List<Tensor>();
            var logitsAll = new List<Tensor>();
            var losses = new List<Tensor>();
            for (long t = 0; t < ys.shape[0]; t++)
            {
                var x = cat(new[] { n, ys[t], rs[t], g }, -1);
                var h = nn.functional.relu(Linear(p, "F.fc1", x));
                h = nn.functional.relu(Linear(p, "F.fc2", h));
                var logits = (n + 1e-9).log() + Linear(p, "F.out", h);
                var nNext = nn.functional.softmax(logits, -1);
                var gNext = alpha * g + (nNext - alpha * n) * ys[t];
                ns.Add(nNext);
                gs.Add(gNext);
                logitsAll.Add(logits);
                losses.Add(gNext.pow(2).sum(new long[] { -1 }) + 0.1 * (nNext * (nNext + 1e-9).log()).sum(new long[] { -1 }));
                n = nNext;
                g = gNext;
            }
            return new Dictionary<string, Tensor>
            {
                ["N_t"] = stack(ns), ["g_t"] = stack(gs), ["logits"] = stack(logitsAll), ["loss"] = stack(losses), ["N"] = n, ["g"] = g,
            };
        }
    }

    /// <summary>The golden cell files (../shared/golden/cell_*.json) as TorchSharp tensors.</summary>
    internal static class Goldens
    {
        /// <summary>The repository's root (where AE.Compiler.sln is).</summary>
        public static string Root { get; } = FindRoot();

        public static string Directory { get; } = Path.GetFullPath(Path.Combine(Root, "..", "shared", "golden"));

        public static CellReference Load(string file) => CellReference.Load(Path.Combine(Directory, file), file);

        /// <summary>A reference tensor as a float64 tensor of its shape.</summary>
        public static Tensor ToTorch(RefTensor t) => tensor(t.Values, t.Shape.Select(d => (long)d).ToArray(), ScalarType.Float64);

        /// <summary>The file's params by name (plus any of the cell's own params given at the top level, such as alpha).</summary>
        public static Dictionary<string, Tensor> Params(CellReference r, params string[] extra)
        {
            var d = r.Params.ToDictionary(p => p.Key, p => ToTorch(p.Value), StringComparer.Ordinal);
            foreach (var name in extra) d[name] = ToTorch(r.Extra[name]);
            return d;
        }

        static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("AE.Compiler.sln not found above " + AppContext.BaseDirectory);
        }
    }

    internal static class Close
    {
        /// <summary>The goldens' tolerance (CellGradientCheck): each value within 1e-9 relative or 1e-12 absolute.</summary>
        public const double Relative = 1e-9, Absolute = 1e-12;

        public static double[] Values(Tensor t)
        {
            using var d = t.detach().to_type(ScalarType.Float64).contiguous().flatten();
            return d.data<double>().ToArray();
        }

        public static void Assert(Tensor expected, Tensor actual, string what)
        {
            Xunit.Assert.Equal(expected.shape, actual.shape);
            Assert(Values(expected), Values(actual), what);
        }

        public static void Assert(double[] expected, double[] actual, string what)
        {
            Xunit.Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double d = Math.Abs(actual[i] - expected[i]);
                if (!(d <= Absolute || d <= Relative * Math.Abs(expected[i])))
                    Xunit.Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (difference {d:E2})");
            }
        }
    }
}
