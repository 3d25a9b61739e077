using Microsoft.Win32.SafeHandles;

namespace AE.Kernels.OpenCl
{
    // One SafeHandle per kind of reference-counted OpenCL object: the release runs exactly once, even
    // when a wrapper is never disposed, and a handle in use by a call cannot be released under it.

    internal sealed class ContextHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public ContextHandle() : base(true) { }
        protected override bool ReleaseHandle() => Native.clReleaseContext(handle) == Native.CL_SUCCESS;
    }

    internal sealed class QueueHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public QueueHandle() : base(true) { }
        protected override bool ReleaseHandle() => Native.clReleaseCommandQueue(handle) == Native.CL_SUCCESS;
    }

    internal sealed class MemHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public MemHandle() : base(true) { }
        protected override bool ReleaseHandle() => Native.clReleaseMemObject(handle) == Native.CL_SUCCESS;
    }

    internal sealed class ProgramHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public ProgramHandle() : base(true) { }
        protected override bool ReleaseHandle() => Native.clReleaseProgram(handle) == Native.CL_SUCCESS;
    }

    internal sealed class KernelHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public KernelHandle() : base(true) { }
        protected override bool ReleaseHandle() => Native.clReleaseKernel(handle) == Native.CL_SUCCESS;
    }
}
