using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

// One libtorch per process: its thread count and the models' data are process-wide.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AE.TorchSharp.Tests
{
    /// <summary>A small MLP and fixed data, built twice with the same weights for the reference runs.</summary>
    internal static class TestModels
    {
        public static Sequential Mlp(ScalarType dtype, long seed)
        {
            torch.set_num_threads(1);
            torch.manual_seed(seed);
            var model = nn.Sequential(
                ("fc1", nn.Linear(6, 16)),
                ("act", nn.Tanh()),
                ("fc2", nn.Linear(16, 3)));
            model.to(dtype);
            return model;
        }

        public static (Tensor X, Tensor Y) Data(ScalarType dtype, long seed)
        {
            var g = new Generator((ulong)seed);
            var x = randn(new long[] { 32, 6 }, dtype: dtype, generator: g);
            var y = randn(new long[] { 32, 3 }, dtype: dtype, generator: g);
            return (x, y);
        }

        public static Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y) =>
            nn.functional.mse_loss(model.call(x), y);

        /// <summary>The parameters, in order, as one vector of doubles (float32 values widen exactly).</summary>
        public static double[] Flatten(IEnumerable<Parameter> parameters)
        {
            var result = new List<double>();
            foreach (var p in parameters)
                using (var d = p.detach().to_type(ScalarType.Float64).contiguous().flatten())
                    result.AddRange(d.data<double>().ToArray());
            return result.ToArray();
        }

        /// <summary>The gradients, in order, as one vector of doubles.</summary>
        public static double[] FlattenGrad(IEnumerable<Parameter> parameters)
        {
            var result = new List<double>();
            foreach (var p in parameters)
                using (var g = p.grad!)
                using (var d = g.to_type(ScalarType.Float64).contiguous().flatten())
                    result.AddRange(d.data<double>().ToArray());
            return result.ToArray();
        }

        /// <summary>Writes a flat vector back into the parameters (no autograd).</summary>
        public static void Assign(IEnumerable<Parameter> parameters, double[] values)
        {
            using var _ = no_grad();
            long offset = 0;
            foreach (var p in parameters)
            {
                long n = p.numel();
                using var src = tensor(values.AsSpan((int)offset, (int)n).ToArray(), dtype: ScalarType.Float64).reshape(p.shape).to_type(p.dtype);
                p.copy_(src);
                offset += n;
            }
        }

        public static void AssertBitEqual(double[] expected, double[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
                    Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
        }

        public static Parameter[] Params(nn.Module m) => m.parameters().ToArray();
    }
}
