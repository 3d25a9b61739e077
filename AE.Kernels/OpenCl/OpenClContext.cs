using System;
using System.Text;

namespace AE.Kernels.OpenCl
{
    /// <summary>How the kernels use a buffer (CL_MEM_READ_WRITE and friends).</summary>
    public enum OpenClMemory { ReadWrite, ReadOnly, WriteOnly }

    /// <summary>An OpenCL context on one device: it owns buffers and programs, and makes queues.</summary>
    public sealed class OpenClContext : IDisposable
    {
        internal readonly ContextHandle Handle;

        public OpenClContext(OpenClDevice device)
        {
            Device = device ?? throw new ArgumentNullException(nameof(device));
            unsafe
            {
                nint* properties = stackalloc nint[] { Native.CL_CONTEXT_PLATFORM, device.Platform.Id, 0 };
                nint id = device.Id;
                int error;
                Handle = Native.clCreateContext(properties, 1, &id, 0, 0, &error);
                OpenClErrors.Check(error, "clCreateContext");
            }
        }

        public OpenClDevice Device { get; }

        /// <summary>An in-order queue on the context's device.</summary>
        public OpenClCommandQueue CreateQueue() => new(this);

        /// <summary>A device buffer of <paramref name="bytes"/> bytes (contents undefined until written).</summary>
        public OpenClBuffer CreateBuffer(long bytes, OpenClMemory memory = OpenClMemory.ReadWrite) => Allocate(bytes, memory, elementType: null);

        /// <summary>A buffer for <paramref name="count"/> elements of <typeparamref name="T"/>; it remembers <typeparamref name="T"/> as its <see cref="OpenClBuffer.ElementType"/>.</summary>
        public OpenClBuffer CreateBuffer<T>(long count, OpenClMemory memory = OpenClMemory.ReadWrite) where T : unmanaged
        {
            unsafe { return Allocate(checked(count * sizeof(T)), memory, typeof(T)); }
        }

        private OpenClBuffer Allocate(long bytes, OpenClMemory memory, Type? elementType)
        {
            if (bytes <= 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "a buffer needs at least one byte");
            ulong flags = memory switch
            {
                OpenClMemory.ReadOnly => Native.CL_MEM_READ_ONLY,
                OpenClMemory.WriteOnly => Native.CL_MEM_WRITE_ONLY,
                _ => Native.CL_MEM_READ_WRITE,
            };
            unsafe
            {
                int error;
                var handle = Native.clCreateBuffer(Handle, flags, (nuint)bytes, null, &error);
                OpenClErrors.Check(error, "clCreateBuffer");
                return new OpenClBuffer(handle, bytes, elementType);
            }
        }

        /// <summary>
        /// Compiles OpenCL C for the context's device.
        /// </summary>
        /// <exception cref="OpenClBuildException">the source does not compile; the message is the compiler's log</exception>
        public OpenClProgram BuildProgram(string source, string options = "")
        {
            if (source is null) throw new ArgumentNullException(nameof(source));
            if (options is null) throw new ArgumentNullException(nameof(options));
            var bytes = Encoding.UTF8.GetBytes(source);
            var optionBytes = Encoding.UTF8.GetBytes(options + "\0");
            ProgramHandle handle;
            unsafe
            {
                fixed (byte* s = bytes)
                {
                    byte* strings = s;
                    nuint length = (nuint)bytes.Length;
                    int error;
                    handle = Native.clCreateProgramWithSource(Handle, 1, &strings, &length, &error);
                    OpenClErrors.Check(error, "clCreateProgramWithSource");
                }
                var program = new OpenClProgram(this, handle);
                nint device = Device.Id;
                int code;
                fixed (byte* o = optionBytes) code = Native.clBuildProgram(handle, 1, &device, o, 0, 0);
                program.BuildLog = program.ReadBuildLog();
                if (code != Native.CL_SUCCESS)
                {
                    program.Dispose();
                    if (code == Native.CL_BUILD_PROGRAM_FAILURE || program.BuildLog.Length > 0)
                        throw new OpenClBuildException(Device.Name, code, program.BuildLog.Length > 0 ? program.BuildLog : "(the compiler wrote no log)");
                    OpenClErrors.Check(code, "clBuildProgram");
                }
                return program;
            }
        }

        public void Dispose() => Handle.Dispose();
    }

    /// <summary>A device buffer. Kernels that were given it as an argument must not run after it is disposed.</summary>
    public sealed class OpenClBuffer : IDisposable
    {
        internal readonly MemHandle Handle;

        internal OpenClBuffer(MemHandle handle, long bytes, Type? elementType)
        {
            Handle = handle;
            Bytes = bytes;
            ElementType = elementType;
        }

        /// <summary>The size in bytes.</summary>
        public long Bytes { get; }

        /// <summary>The element type it was created for (<c>CreateBuffer&lt;T&gt;</c>), or null for a buffer of bytes.</summary>
        public Type? ElementType { get; }

        /// <summary>Whether it was disposed: its memory object is released, and no kernel may be given it.</summary>
        public bool IsDisposed => Handle.IsClosed;

        public void Dispose() => Handle.Dispose();
    }
}
