using System;
using System.Linq;
using AE.Kernels.OpenCl;
using Xunit;
using Xunit.Abstractions;

namespace AE.Kernels.Tests
{
    /// <summary>The P/Invoke layer on whatever OpenCL device the machine has (PoCL's CPU device in CI).</summary>
    public class OpenClLayerTests
    {
        private readonly ITestOutputHelper _output;

        public OpenClLayerTests(ITestOutputHelper output) => _output = output;

        [OpenClFact]
        public void Discovery_names_the_platform_and_a_double_precision_device()
        {
            var device = OpenClAvailability.Device();
            var platforms = OpenClPlatform.GetPlatforms();
            Assert.NotEmpty(platforms);
            Assert.All(platforms, p => Assert.False(string.IsNullOrWhiteSpace(p.Name)));
            Assert.StartsWith("OpenCL ", device.Platform.Version, StringComparison.Ordinal);
            Assert.StartsWith("OpenCL ", device.Version, StringComparison.Ordinal);
            Assert.True(device.SupportsDouble);
            Assert.Contains("cl_khr_fp64", device.Extensions);
            Assert.True(device.MaxWorkGroupSize >= 1);
            Assert.True(device.LocalMemorySize > 0);
            _output.WriteLine(device + ", " + device.OpenClCVersion + ", max work-group " + device.MaxWorkGroupSize);
        }

        private const string VectorAdd = @"
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void add_f(__global const float* a, __global const float* b, __global float* c, const int n)
{
    int i = get_global_id(0);
    if (i < n) c[i] = a[i] + b[i];
}
__kernel void add_d(__global const double* a, __global const double* b, __global double* c, const long n)
{
    long i = get_global_id(0);
    if (i < n) c[i] = a[i] + b[i];
}
__kernel void scale_l(__global long* x, const long k, const double unused)
{
    x[get_global_id(0)] *= k;
}
";

        [OpenClFact]
        public void Vector_add_in_float()
        {
            var context = OpenClAvailability.Context();
            const int n = 1000;
            var a = Enumerable.Range(0, n).Select(i => i * 0.5f).ToArray();
            var b = Enumerable.Range(0, n).Select(i => 1f / (i + 1)).ToArray();
            using var program = context.BuildProgram(VectorAdd);
            using var kernel = program.CreateKernel("add_f");
            using var queue = context.CreateQueue();
            using var da = context.CreateBuffer<float>(n, OpenClMemory.ReadOnly);
            using var db = context.CreateBuffer<float>(n, OpenClMemory.ReadOnly);
            using var dc = context.CreateBuffer<float>(n, OpenClMemory.WriteOnly);
            queue.Write<float>(da, a);
            queue.Write<float>(db, b);
            kernel.SetArgument(0, da);
            kernel.SetArgument(1, db);
            kernel.SetArgument(2, dc);
            kernel.SetArgument(3, n);
            queue.Launch(kernel, 1024, 64);
            var c = new float[n];
            queue.Read<float>(dc, c);
            for (int i = 0; i < n; i++) Assert.Equal(a[i] + b[i], c[i]);
        }

        [OpenClFact]
        public void Vector_add_in_double_with_offsets()
        {
            var context = OpenClAvailability.Context();
            const int n = 777;
            var a = Enumerable.Range(0, n).Select(i => Math.Sqrt(i)).ToArray();
            var b = Enumerable.Range(0, n).Select(i => 1.0 / 3 * i).ToArray();
            using var program = context.BuildProgram(VectorAdd);
            using var kernel = program.CreateKernel("add_d");
            using var queue = context.CreateQueue();
            using var da = context.CreateBuffer<double>(n);
            using var db = context.CreateBuffer<double>(n);
            using var dc = context.CreateBuffer<double>(n);
            // two halves, to exercise element offsets
            queue.Write<double>(da, a.AsSpan(0, 300));
            queue.Write<double>(da, a.AsSpan(300), offset: 300);
            queue.Write<double>(db, b);
            kernel.SetArgument(0, da);
            kernel.SetArgument(1, db);
            kernel.SetArgument(2, dc);
            kernel.SetArgument(3, (long)n);
            queue.Launch(kernel, n);
            var c = new double[n];
            queue.Read<double>(dc, c);
            for (int i = 0; i < n; i++) Assert.Equal(a[i] + b[i], c[i]);
            var tail = new double[10];
            queue.Read<double>(dc, tail, offset: n - 10);
            Assert.Equal(c[^10..], tail);
        }

        [OpenClFact]
        public void Long_and_int_buffers_round_trip()
        {
            var context = OpenClAvailability.Context();
            using var program = context.BuildProgram(VectorAdd);
            using var kernel = program.CreateKernel("scale_l");
            using var queue = context.CreateQueue();
            using var buffer = context.CreateBuffer<long>(4);
            queue.Write<long>(buffer, new long[] { 1, -2, 1L << 40, 7 });
            kernel.SetArgument(0, buffer);
            kernel.SetArgument(1, 3L);
            kernel.SetArgument(2, 0.0);
            queue.Launch(kernel, 4, 1);
            var result = new long[4];
            queue.Read<long>(buffer, result);
            Assert.Equal(new long[] { 3, -6, 3L << 40, 21 }, result);

            using var ints = context.CreateBuffer<int>(3);
            queue.Write<int>(ints, new[] { 5, -6, int.MaxValue });
            var back = new int[3];
            queue.Read<int>(ints, back);
            Assert.Equal(new[] { 5, -6, int.MaxValue }, back);
        }

        /// <summary>A buffer knows the element type it was made for and whether it is disposed; a kernel refuses a disposed one (its handle would dangle in the driver).</summary>
        [OpenClFact]
        public void A_kernel_refuses_a_disposed_buffer_and_buffers_carry_their_element_type()
        {
            var context = OpenClAvailability.Context();
            using var program = context.BuildProgram(VectorAdd);
            using var kernel = program.CreateKernel("scale_l");
            var buffer = context.CreateBuffer<long>(4);
            using var bytes = context.CreateBuffer(32);
            Assert.Equal(typeof(long), buffer.ElementType);
            Assert.Null(bytes.ElementType);
            kernel.SetArgument(0, buffer);
            buffer.Dispose();
            Assert.True(buffer.IsDisposed);
            Assert.Throws<ObjectDisposedException>(() => kernel.SetArgument(0, buffer));
            kernel.SetArgument(0, bytes);
        }

        private const string Reduction = @"
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void partial_sums(__global const double* x, const long n, __global double* partial, __local double* scratch)
{
    long i = get_global_id(0);
    int lid = get_local_id(0);
    int size = get_local_size(0);
    scratch[lid] = i < n ? x[i] : 0.0;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = size / 2; s > 0; s /= 2)
    {
        if (lid < s) scratch[lid] += scratch[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) partial[get_group_id(0)] = scratch[0];
}
";

        [OpenClFact]
        public void A_work_group_reduction_sums_exactly_representable_values_exactly()
        {
            var context = OpenClAvailability.Context();
            const int n = 5000, wg = 64;
            int groups = (n + wg - 1) / wg;
            var x = Enumerable.Range(1, n).Select(i => (double)i).ToArray();
            using var program = context.BuildProgram(Reduction);
            using var kernel = program.CreateKernel("partial_sums");
            using var queue = context.CreateQueue();
            using var dx = context.CreateBuffer<double>(n);
            using var dp = context.CreateBuffer<double>(groups);
            queue.Write<double>(dx, x);
            kernel.SetArgument(0, dx);
            kernel.SetArgument(1, (long)n);
            kernel.SetArgument(2, dp);
            kernel.SetLocalArgument(3, wg * sizeof(double));
            queue.Launch(kernel, groups * wg, wg);
            queue.Finish();
            var partial = new double[groups];
            queue.Read<double>(dp, partial);
            Assert.Equal(n * (n + 1.0) / 2, partial.Sum());
            Assert.Equal(Enumerable.Range(1, wg).Sum(), partial[0]);
        }

        [OpenClFact]
        public void A_build_error_throws_with_the_compilers_log()
        {
            var context = OpenClAvailability.Context();
            const string broken = "__kernel void k(__global float* x)\n{\n    x[0] = undeclared_name + 1.0f;\n}\n";
            var ex = Assert.Throws<OpenClBuildException>(() => context.BuildProgram(broken));
            Assert.Contains("undeclared_name", ex.Message, StringComparison.Ordinal);
            Assert.Contains("undeclared_name", ex.BuildLog, StringComparison.Ordinal);
            Assert.Contains("error", ex.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("-11", ex.Message, StringComparison.Ordinal);
            Assert.Equal("clBuildProgram", ex.Function);
            Assert.Equal("CL_BUILD_PROGRAM_FAILURE", ex.ErrorName);
            _output.WriteLine(ex.Message);
        }

        [OpenClFact]
        public void An_invalid_argument_names_the_function_and_the_error()
        {
            var context = OpenClAvailability.Context();
            using var program = context.BuildProgram(VectorAdd);
            using var kernel = program.CreateKernel("add_d");
            var ex = Assert.Throws<OpenClException>(() => kernel.SetArgument(9, 1.0));
            Assert.Equal("clSetKernelArg failed: CL_INVALID_ARG_INDEX", ex.Message);
            Assert.Equal("clSetKernelArg", ex.Function);
            Assert.Equal(-49, ex.ErrorCode);

            var name = Assert.Throws<OpenClException>(() => program.CreateKernel("no_such_kernel"));
            Assert.StartsWith("clCreateKernel failed: CL_INVALID_KERNEL_NAME", name.Message, StringComparison.Ordinal);
        }

        [OpenClFact]
        public void A_launch_with_a_work_group_that_does_not_divide_the_range_names_the_error()
        {
            var context = OpenClAvailability.Context();
            using var program = context.BuildProgram(VectorAdd);
            using var kernel = program.CreateKernel("add_d");
            using var queue = context.CreateQueue();
            using var buffer = context.CreateBuffer<double>(100);
            kernel.SetArgument(0, buffer);
            kernel.SetArgument(1, buffer);
            kernel.SetArgument(2, buffer);
            kernel.SetArgument(3, 100L);
            // OpenCL 1.2 semantics (and PoCL's with a 1.2 program): the global size must be a multiple of the local size.
            var ex = Assert.Throws<OpenClException>(() => queue.Launch(kernel, 100, 64));
            Assert.Equal("clEnqueueNDRangeKernel", ex.Function);
            Assert.StartsWith("CL_INVALID_", ex.ErrorName, StringComparison.Ordinal);
        }

        [Fact]
        public void Error_names_are_symbolic()
        {
            Assert.Equal("CL_INVALID_VALUE", OpenClErrors.Name(-30));
            Assert.Equal("CL_PLATFORM_NOT_FOUND_KHR", OpenClErrors.Name(-1001));
            Assert.Equal("CL_UNKNOWN_ERROR(-9999)", OpenClErrors.Name(-9999));
            var ex = new OpenClException("clFinish", -36);
            Assert.Equal("clFinish failed: CL_INVALID_COMMAND_QUEUE", ex.Message);
        }

        [Fact]
        public void The_missing_platform_message_says_what_to_install()
        {
            Assert.Equal("no OpenCL platform: install pocl-opencl-icd and ocl-icd-libopencl1", new OpenClUnavailableException().Message);
        }
    }
}
