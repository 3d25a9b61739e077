using System;
using System.Reflection;
using System.Runtime.InteropServices;

namespace AE.Kernels.OpenCl
{
    /// <summary>
    /// The OpenCL 1.2 entry points this host uses, bound to the system's ICD loader. Only the loader
    /// is linked: it finds the vendor drivers (PoCL, NVIDIA, ...) through /etc/OpenCL/vendors/*.icd.
    /// Every signature is blittable, so no call marshals or allocates.
    /// </summary>
    internal static unsafe partial class Native
    {
        public const string Library = "OpenCL";

        static Native()
        {
            NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, Resolve);
        }

        /// <summary>Ensures the resolver is registered before the first call (the static constructor does it).</summary>
        public static void EnsureResolver() { }

        // The unversioned libOpenCL.so only exists with the -dev package; the runtime package ships .so.1.
        private static readonly string[] Candidates = OperatingSystem.IsWindows()
            ? new[] { "OpenCL.dll" }
            : OperatingSystem.IsMacOS()
                ? new[] { "/System/Library/Frameworks/OpenCL.framework/OpenCL" }
                : new[] { "libOpenCL.so.1", "libOpenCL.so" };

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (libraryName != Library) return IntPtr.Zero;
            foreach (var name in Candidates)
                if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle)) return handle;
            return IntPtr.Zero;
        }

        // ---- platforms and devices

        [LibraryImport(Library)]
        public static partial int clGetPlatformIDs(uint numEntries, nint* platforms, uint* numPlatforms);

        [LibraryImport(Library)]
        public static partial int clGetPlatformInfo(nint platform, uint paramName, nuint size, void* value, nuint* sizeRet);

        [LibraryImport(Library)]
        public static partial int clGetDeviceIDs(nint platform, ulong deviceType, uint numEntries, nint* devices, uint* numDevices);

        [LibraryImport(Library)]
        public static partial int clGetDeviceInfo(nint device, uint paramName, nuint size, void* value, nuint* sizeRet);

        // ---- context and queue

        [LibraryImport(Library)]
        public static partial ContextHandle clCreateContext(nint* properties, uint numDevices, nint* devices, nint notify, nint userData, int* errcode);

        [LibraryImport(Library)]
        public static partial int clReleaseContext(nint context);

        [LibraryImport(Library)]
        public static partial QueueHandle clCreateCommandQueue(ContextHandle context, nint device, ulong properties, int* errcode);

        [LibraryImport(Library)]
        public static partial int clReleaseCommandQueue(nint queue);

        [LibraryImport(Library)]
        public static partial int clFinish(QueueHandle queue);

        [LibraryImport(Library)]
        public static partial int clFlush(QueueHandle queue);

        // ---- buffers

        [LibraryImport(Library)]
        public static partial MemHandle clCreateBuffer(ContextHandle context, ulong flags, nuint size, void* hostPtr, int* errcode);

        [LibraryImport(Library)]
        public static partial int clReleaseMemObject(nint memobj);

        [LibraryImport(Library)]
        public static partial int clEnqueueWriteBuffer(QueueHandle queue, MemHandle buffer, uint blocking, nuint offset, nuint size, void* ptr,
            uint numEvents, nint* waitList, nint* evt);

        [LibraryImport(Library)]
        public static partial int clEnqueueReadBuffer(QueueHandle queue, MemHandle buffer, uint blocking, nuint offset, nuint size, void* ptr,
            uint numEvents, nint* waitList, nint* evt);

        // ---- programs and kernels

        [LibraryImport(Library)]
        public static partial ProgramHandle clCreateProgramWithSource(ContextHandle context, uint count, byte** strings, nuint* lengths, int* errcode);

        [LibraryImport(Library)]
        public static partial int clBuildProgram(ProgramHandle program, uint numDevices, nint* devices, byte* options, nint notify, nint userData);

        [LibraryImport(Library)]
        public static partial int clGetProgramBuildInfo(ProgramHandle program, nint device, uint paramName, nuint size, void* value, nuint* sizeRet);

        [LibraryImport(Library)]
        public static partial int clReleaseProgram(nint program);

        [LibraryImport(Library)]
        public static partial KernelHandle clCreateKernel(ProgramHandle program, byte* name, int* errcode);

        [LibraryImport(Library)]
        public static partial int clReleaseKernel(nint kernel);

        [LibraryImport(Library)]
        public static partial int clSetKernelArg(KernelHandle kernel, uint index, nuint size, void* value);

        [LibraryImport(Library)]
        public static partial int clGetKernelWorkGroupInfo(KernelHandle kernel, nint device, uint paramName, nuint size, void* value, nuint* sizeRet);

        [LibraryImport(Library)]
        public static partial int clEnqueueNDRangeKernel(QueueHandle queue, KernelHandle kernel, uint workDim, nuint* globalOffset, nuint* globalSize,
            nuint* localSize, uint numEvents, nint* waitList, nint* evt);

        // ---- constants (cl.h)

        public const int CL_SUCCESS = 0;
        public const int CL_DEVICE_NOT_FOUND = -1;
        public const int CL_BUILD_PROGRAM_FAILURE = -11;
        public const int CL_PLATFORM_NOT_FOUND_KHR = -1001;

        public const ulong CL_DEVICE_TYPE_ALL = 0xFFFFFFFF;
        public const ulong CL_DEVICE_TYPE_CPU = 1 << 1;
        public const ulong CL_DEVICE_TYPE_GPU = 1 << 2;
        public const ulong CL_DEVICE_TYPE_ACCELERATOR = 1 << 3;

        public const uint CL_PLATFORM_PROFILE = 0x0900;
        public const uint CL_PLATFORM_VERSION = 0x0901;
        public const uint CL_PLATFORM_NAME = 0x0902;
        public const uint CL_PLATFORM_VENDOR = 0x0903;
        public const uint CL_PLATFORM_EXTENSIONS = 0x0904;

        public const uint CL_DEVICE_TYPE = 0x1000;
        public const uint CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;
        public const uint CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
        public const uint CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
        public const uint CL_DEVICE_LOCAL_MEM_SIZE = 0x1023;
        public const uint CL_DEVICE_NAME = 0x102B;
        public const uint CL_DEVICE_VENDOR = 0x102C;
        public const uint CL_DRIVER_VERSION = 0x102D;
        public const uint CL_DEVICE_VERSION = 0x102F;
        public const uint CL_DEVICE_EXTENSIONS = 0x1030;
        public const uint CL_DEVICE_DOUBLE_FP_CONFIG = 0x1032;
        public const uint CL_DEVICE_OPENCL_C_VERSION = 0x103D;

        public const nint CL_CONTEXT_PLATFORM = 0x1084;

        public const ulong CL_MEM_READ_WRITE = 1 << 0;
        public const ulong CL_MEM_WRITE_ONLY = 1 << 1;
        public const ulong CL_MEM_READ_ONLY = 1 << 2;

        public const uint CL_PROGRAM_BUILD_LOG = 0x1183;
        public const uint CL_KERNEL_WORK_GROUP_SIZE = 0x11B0;
        public const uint CL_KERNEL_LOCAL_MEM_SIZE = 0x11B2;
    }
}
