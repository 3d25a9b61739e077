using System;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.Eval;
using AE.Kernels.OpenCl;
using Xunit;
using Xunit.Abstractions;

namespace AE.Kernels.Tests
{
    /// <summary>
    /// The prelude's <c>ae_gauss</c> on the device against <see cref="CounterNoise.Gaussian"/>, bit for bit: the same
    /// Philox4x32-10 and the same correctly rounded double operations, with FP_CONTRACT off so that no a*b+c becomes an fma.
    /// </summary>
    public class OpenClNoiseTests
    {
        private readonly ITestOutputHelper _output;

        public OpenClNoiseTests(ITestOutputHelper output) => _output = output;

        // Appended to an emitted program, so that the prelude is the one laws get.
        private const string TestKernels = @"
__kernel void test_gauss(__global double* out, const ulong seed, const ulong step, const int site, const ulong first)
{
    ulong k = get_global_id(0);
    out[k] = ae_gauss(seed, step, (uint)site, first + k);
}

__kernel void test_contract(__global double* out, const double x, const double y, const double z)
{
    out[0] = x * y + z;
}
";

        private static string Program()
        {
            var unit = Laws.FromText(@"law Plain {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  update ""u"" { theta' = theta - 0.1 * grad; }
}");
            var source = OpenClEmitter.Emit(unit).Source;
            Assert.Contains("double ae_gauss(ulong seed, ulong step, uint site, ulong index)", source, StringComparison.Ordinal);
            return source + TestKernels;
        }

        [OpenClTheory]
        [InlineData(42UL, 1UL, 1, 0L)]
        [InlineData(0UL, 0UL, 2, 1L)]
        [InlineData(ulong.MaxValue, ulong.MaxValue - 1, 65535, CounterNoise.MaxIndex - 100_000)]
        [InlineData(0x0123456789ABCDEFUL, (1UL << 32) + 5, 777, (1L << 33) - 50_001)] // blocks across 2^32 (a carry into c1)
        public void Device_draws_equal_the_definition_bit_for_bit(ulong seed, ulong step, int site, long first)
        {
            var context = OpenClAvailability.Context();
            const int n = 100_000;
            using var program = context.BuildProgram(Program());
            using var kernel = program.CreateKernel("test_gauss");
            using var queue = context.CreateQueue();
            using var buffer = context.CreateBuffer<double>(n, OpenClMemory.WriteOnly);
            kernel.SetArgument(0, buffer);
            kernel.SetArgument(1, seed);
            kernel.SetArgument(2, step);
            kernel.SetArgument(3, site);
            kernel.SetArgument(4, (ulong)first);
            queue.Launch(kernel, n);
            var device = new double[n];
            queue.Read<double>(buffer, device);
            int differing = 0;
            string? firstDifference = null;
            for (int k = 0; k < n; k++)
            {
                double expected = CounterNoise.Gaussian(seed, step, site, first + k);
                if (BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(device[k])) continue;
                differing++;
                firstDifference ??= $"element {first + k}: device {device[k]:R}, definition {expected:R}";
            }
            _output.WriteLine($"{context.Device}: {n - differing} of {n} draws identical");
            Assert.True(differing == 0, $"{differing} of {n} device draws differ; the first at {firstDifference}");
        }

        [OpenClFact]
        public void The_device_compiler_does_not_contract_to_fma()
        {
            var context = OpenClAvailability.Context();
            using var program = context.BuildProgram(Program());
            using var kernel = program.CreateKernel("test_contract");
            using var queue = context.CreateQueue();
            using var buffer = context.CreateBuffer<double>(1, OpenClMemory.WriteOnly);
            // x*y = 1 - 2^-54 exactly, which rounds to 1: unfused x*y - 1 is 0, an fma gives -2^-54
            double x = 1 + Math.Pow(2, -27), y = 1 - Math.Pow(2, -27);
            kernel.SetArgument(0, buffer);
            kernel.SetArgument(1, x);
            kernel.SetArgument(2, y);
            kernel.SetArgument(3, -1.0);
            queue.Launch(kernel, 1, 1);
            var result = new double[1];
            queue.Read<double>(buffer, result);
            Assert.Equal(-Math.Pow(2, -54), Math.FusedMultiplyAdd(x, y, -1.0));
            Assert.Equal(0.0, x * y + -1.0);
            Assert.Equal(0.0, result[0]);
        }
    }
}
