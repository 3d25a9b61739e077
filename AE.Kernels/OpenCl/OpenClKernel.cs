using System;

namespace AE.Kernels.OpenCl
{
    /// <summary>
    /// A kernel with its arguments. Arguments stay set between launches, so a host sets them once and
    /// launches many times. Setting arguments is not thread-safe (OpenCL's rule): one kernel object per thread.
    /// </summary>
    public sealed class OpenClKernel : IDisposable
    {
        internal readonly KernelHandle Handle;
        // Buffers passed as arguments, so they outlive every launch that reads them.
        private OpenClBuffer?[] _buffers = new OpenClBuffer?[8];

        internal OpenClKernel(OpenClProgram program, KernelHandle handle, string name)
        {
            Program = program;
            Handle = handle;
            Name = name;
        }

        public OpenClProgram Program { get; }

        public string Name { get; }

        /// <summary>The largest work-group this kernel can run in on the program's device (CL_KERNEL_WORK_GROUP_SIZE).</summary>
        public long MaxWorkGroupSize
        {
            get
            {
                unsafe
                {
                    nuint size;
                    OpenClErrors.Check(Native.clGetKernelWorkGroupInfo(Handle, Program.Context.Device.Id, Native.CL_KERNEL_WORK_GROUP_SIZE, (nuint)sizeof(nuint), &size, null), "clGetKernelWorkGroupInfo");
                    return (long)size;
                }
            }
        }

        public void SetArgument(int index, OpenClBuffer buffer)
        {
            if (buffer is null) throw new ArgumentNullException(nameof(buffer));
            // A released memory object's handle is a dangling pointer to the driver: PoCL aborts the process on it.
            ObjectDisposedException.ThrowIf(buffer.IsDisposed, buffer);
            unsafe
            {
                nint mem = buffer.Handle.DangerousGetHandle();
                Set(index, (nuint)sizeof(nint), &mem);
            }
            if (index >= 0)
            {
                if (index >= _buffers.Length) Array.Resize(ref _buffers, Math.Max(index + 1, _buffers.Length * 2));
                _buffers[index] = buffer;
            }
        }

        public unsafe void SetArgument(int index, double value) => Set(index, sizeof(double), &value);

        public unsafe void SetArgument(int index, float value) => Set(index, sizeof(float), &value);

        public unsafe void SetArgument(int index, int value) => Set(index, sizeof(int), &value);

        public unsafe void SetArgument(int index, long value) => Set(index, sizeof(long), &value);

        public unsafe void SetArgument(int index, ulong value) => Set(index, sizeof(ulong), &value);

        /// <summary>A <c>__local</c> pointer argument: <paramref name="bytes"/> of work-group local memory.</summary>
        public unsafe void SetLocalArgument(int index, long bytes) => Set(index, (nuint)bytes, null);

        private unsafe void Set(int index, nuint size, void* value)
        {
            // A negative index would wrap to a huge cl_uint; OpenCL then reports CL_INVALID_ARG_INDEX as it should.
            OpenClErrors.Check(Native.clSetKernelArg(Handle, unchecked((uint)index), size, value), "clSetKernelArg");
        }

        public void Dispose() => Handle.Dispose();
    }
}
