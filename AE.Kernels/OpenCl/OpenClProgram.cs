using System;
using System.Text;

namespace AE.Kernels.OpenCl
{
    /// <summary>A program built for one device; kernels are made from it by name.</summary>
    public sealed class OpenClProgram : IDisposable
    {
        internal readonly ProgramHandle Handle;

        internal OpenClProgram(OpenClContext context, ProgramHandle handle)
        {
            Context = context;
            Handle = handle;
        }

        public OpenClContext Context { get; }

        /// <summary>What the compiler wrote while building (warnings; empty for a clean build on most drivers).</summary>
        public string BuildLog { get; internal set; } = "";

        /// <exception cref="OpenClException">CL_INVALID_KERNEL_NAME when the program has no such kernel</exception>
        public OpenClKernel CreateKernel(string name)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            var bytes = Encoding.ASCII.GetBytes(name + "\0");
            unsafe
            {
                int error;
                KernelHandle handle;
                fixed (byte* p = bytes) handle = Native.clCreateKernel(Handle, p, &error);
                if (error != Native.CL_SUCCESS)
                {
                    handle.Dispose();
                    throw new OpenClException("clCreateKernel", error, "clCreateKernel failed: " + OpenClErrors.Name(error) + " ('" + name + "')");
                }
                return new OpenClKernel(this, handle, name);
            }
        }

        internal unsafe string ReadBuildLog()
        {
            nuint size;
            nint device = Context.Device.Id;
            if (Native.clGetProgramBuildInfo(Handle, device, Native.CL_PROGRAM_BUILD_LOG, 0, null, &size) != Native.CL_SUCCESS || size == 0) return "";
            var bytes = new byte[(int)size];
            fixed (byte* p = bytes)
                if (Native.clGetProgramBuildInfo(Handle, device, Native.CL_PROGRAM_BUILD_LOG, size, p, null) != Native.CL_SUCCESS) return "";
            return OpenClPlatform.DecodeString(bytes);
        }

        public void Dispose() => Handle.Dispose();
    }
}
