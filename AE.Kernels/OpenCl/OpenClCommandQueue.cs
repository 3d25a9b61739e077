using System;

namespace AE.Kernels.OpenCl
{
    /// <summary>An in-order command queue: transfers and kernel launches run in the order they are enqueued.</summary>
    public sealed class OpenClCommandQueue : IDisposable
    {
        internal readonly QueueHandle Handle;

        internal OpenClCommandQueue(OpenClContext context)
        {
            Context = context;
            unsafe
            {
                int error;
                // clCreateCommandQueue is deprecated in 2.0 but every ICD loader still exports it, and it is all a 1.2 device has.
                Handle = Native.clCreateCommandQueue(context.Handle, context.Device.Id, 0, &error);
                OpenClErrors.Check(error, "clCreateCommandQueue");
            }
        }

        public OpenClContext Context { get; }

        /// <summary>Copies <paramref name="source"/> into the buffer at element <paramref name="offset"/>; returns when the copy is done.</summary>
        public void Write<T>(OpenClBuffer buffer, ReadOnlySpan<T> source, long offset = 0) where T : unmanaged
        {
            if (buffer is null) throw new ArgumentNullException(nameof(buffer));
            unsafe
            {
                CheckRange(buffer, offset * sizeof(T), (long)source.Length * sizeof(T), nameof(source));
                fixed (T* p = source) WriteRaw(buffer, offset * sizeof(T), (long)source.Length * sizeof(T), p, blocking: true);
            }
        }

        /// <summary>Copies elements from element <paramref name="offset"/> of the buffer into <paramref name="destination"/>; returns when they are there.</summary>
        public void Read<T>(OpenClBuffer buffer, Span<T> destination, long offset = 0) where T : unmanaged
        {
            if (buffer is null) throw new ArgumentNullException(nameof(buffer));
            unsafe
            {
                CheckRange(buffer, offset * sizeof(T), (long)destination.Length * sizeof(T), nameof(destination));
                fixed (T* p = destination) ReadRaw(buffer, offset * sizeof(T), (long)destination.Length * sizeof(T), p, blocking: true);
            }
        }

        /// <summary>
        /// Enqueues a copy from host memory. A non-blocking copy reads <paramref name="source"/> later:
        /// the memory must stay pinned and unchanged until the queue has finished it.
        /// </summary>
        internal unsafe void WriteRaw(OpenClBuffer buffer, long byteOffset, long bytes, void* source, bool blocking)
        {
            if (bytes == 0) return;
            OpenClErrors.Check(Native.clEnqueueWriteBuffer(Handle, buffer.Handle, blocking ? 1u : 0u, (nuint)byteOffset, (nuint)bytes, source, 0, null, null), "clEnqueueWriteBuffer");
        }

        internal unsafe void ReadRaw(OpenClBuffer buffer, long byteOffset, long bytes, void* destination, bool blocking)
        {
            if (bytes == 0) return;
            OpenClErrors.Check(Native.clEnqueueReadBuffer(Handle, buffer.Handle, blocking ? 1u : 0u, (nuint)byteOffset, (nuint)bytes, destination, 0, null, null), "clEnqueueReadBuffer");
        }

        /// <summary>
        /// Enqueues <paramref name="kernel"/> over a 1-D range of <paramref name="globalSize"/> work items in
        /// work-groups of <paramref name="localSize"/> (0: the implementation chooses).
        /// </summary>
        public void Launch(OpenClKernel kernel, long globalSize, long localSize = 0)
        {
            if (kernel is null) throw new ArgumentNullException(nameof(kernel));
            unsafe
            {
                nuint global = (nuint)globalSize;
                nuint local = (nuint)localSize;
                OpenClErrors.Check(Native.clEnqueueNDRangeKernel(Handle, kernel.Handle, 1, null, &global, localSize > 0 ? &local : null, 0, null, null), "clEnqueueNDRangeKernel");
            }
        }

        /// <summary>Waits until every command enqueued so far has completed.</summary>
        public void Finish() => OpenClErrors.Check(Native.clFinish(Handle), "clFinish");

        /// <summary>Submits the enqueued commands to the device without waiting for them.</summary>
        public void Flush() => OpenClErrors.Check(Native.clFlush(Handle), "clFlush");

        private static void CheckRange(OpenClBuffer buffer, long byteOffset, long bytes, string argument)
        {
            if (byteOffset < 0 || byteOffset + bytes > buffer.Bytes)
                throw new ArgumentOutOfRangeException(argument, "bytes " + byteOffset + ".." + (byteOffset + bytes) + " lie outside the buffer's " + buffer.Bytes);
        }

        public void Dispose() => Handle.Dispose();
    }
}
