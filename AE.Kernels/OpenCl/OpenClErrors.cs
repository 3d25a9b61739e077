using System;
using System.Collections.Generic;
using System.Globalization;

namespace AE.Kernels.OpenCl
{
    /// <summary>The symbolic names of OpenCL's error codes (cl.h, cl_ext.h), so no message shows a bare number.</summary>
    public static class OpenClErrors
    {
        private static readonly Dictionary<int, string> Names = new()
        {
            [0] = "CL_SUCCESS",
            [-1] = "CL_DEVICE_NOT_FOUND",
            [-2] = "CL_DEVICE_NOT_AVAILABLE",
            [-3] = "CL_COMPILER_NOT_AVAILABLE",
            [-4] = "CL_MEM_OBJECT_ALLOCATION_FAILURE",
            [-5] = "CL_OUT_OF_RESOURCES",
            [-6] = "CL_OUT_OF_HOST_MEMORY",
            [-7] = "CL_PROFILING_INFO_NOT_AVAILABLE",
            [-8] = "CL_MEM_COPY_OVERLAP",
            [-9] = "CL_IMAGE_FORMAT_MISMATCH",
            [-10] = "CL_IMAGE_FORMAT_NOT_SUPPORTED",
            [-11] = "CL_BUILD_PROGRAM_FAILURE",
            [-12] = "CL_MAP_FAILURE",
            [-13] = "CL_MISALIGNED_SUB_BUFFER_OFFSET",
            [-14] = "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
            [-15] = "CL_COMPILE_PROGRAM_FAILURE",
            [-16] = "CL_LINKER_NOT_AVAILABLE",
            [-17] = "CL_LINK_PROGRAM_FAILURE",
            [-18] = "CL_DEVICE_PARTITION_FAILED",
            [-19] = "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
            [-30] = "CL_INVALID_VALUE",
            [-31] = "CL_INVALID_DEVICE_TYPE",
            [-32] = "CL_INVALID_PLATFORM",
            [-33] = "CL_INVALID_DEVICE",
            [-34] = "CL_INVALID_CONTEXT",
            [-35] = "CL_INVALID_QUEUE_PROPERTIES",
            [-36] = "CL_INVALID_COMMAND_QUEUE",
            [-37] = "CL_INVALID_HOST_PTR",
            [-38] = "CL_INVALID_MEM_OBJECT",
            [-39] = "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR",
            [-40] = "CL_INVALID_IMAGE_SIZE",
            [-41] = "CL_INVALID_SAMPLER",
            [-42] = "CL_INVALID_BINARY",
            [-43] = "CL_INVALID_BUILD_OPTIONS",
            [-44] = "CL_INVALID_PROGRAM",
            [-45] = "CL_INVALID_PROGRAM_EXECUTABLE",
            [-46] = "CL_INVALID_KERNEL_NAME",
            [-47] = "CL_INVALID_KERNEL_DEFINITION",
            [-48] = "CL_INVALID_KERNEL",
            [-49] = "CL_INVALID_ARG_INDEX",
            [-50] = "CL_INVALID_ARG_VALUE",
            [-51] = "CL_INVALID_ARG_SIZE",
            [-52] = "CL_INVALID_KERNEL_ARGS",
            [-53] = "CL_INVALID_WORK_DIMENSION",
            [-54] = "CL_INVALID_WORK_GROUP_SIZE",
            [-55] = "CL_INVALID_WORK_ITEM_SIZE",
            [-56] = "CL_INVALID_GLOBAL_OFFSET",
            [-57] = "CL_INVALID_EVENT_WAIT_LIST",
            [-58] = "CL_INVALID_EVENT",
            [-59] = "CL_INVALID_OPERATION",
            [-60] = "CL_INVALID_GL_OBJECT",
            [-61] = "CL_INVALID_BUFFER_SIZE",
            [-62] = "CL_INVALID_MIP_LEVEL",
            [-63] = "CL_INVALID_GLOBAL_WORK_SIZE",
            [-64] = "CL_INVALID_PROPERTY",
            [-65] = "CL_INVALID_IMAGE_DESCRIPTOR",
            [-66] = "CL_INVALID_COMPILER_OPTIONS",
            [-67] = "CL_INVALID_LINKER_OPTIONS",
            [-68] = "CL_INVALID_DEVICE_PARTITION_COUNT",
            [-69] = "CL_INVALID_PIPE_SIZE",
            [-70] = "CL_INVALID_DEVICE_QUEUE",
            [-71] = "CL_INVALID_SPEC_ID",
            [-72] = "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
            [-1000] = "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR",
            [-1001] = "CL_PLATFORM_NOT_FOUND_KHR",
        };

        /// <summary><c>CL_INVALID_VALUE</c> for -30; a code outside cl.h reads <c>CL_UNKNOWN_ERROR(-9999)</c>.</summary>
        public static string Name(int code) =>
            Names.TryGetValue(code, out var name) ? name : "CL_UNKNOWN_ERROR(" + code.ToString(CultureInfo.InvariantCulture) + ")";

        /// <summary>Throws <see cref="OpenClException"/> naming <paramref name="function"/> unless <paramref name="code"/> is CL_SUCCESS.</summary>
        public static void Check(int code, string function)
        {
            if (code != Native.CL_SUCCESS) throw new OpenClException(function, code);
        }
    }

    /// <summary>An OpenCL call that failed: the function and the symbolic error name, e.g. <c>clSetKernelArg failed: CL_INVALID_ARG_INDEX</c>.</summary>
    public class OpenClException : Exception
    {
        public OpenClException() : base("an OpenCL call failed") { Function = ""; ErrorName = ""; }

        public OpenClException(string message) : base(message) { Function = ""; ErrorName = ""; }

        public OpenClException(string message, Exception innerException) : base(message, innerException) { Function = ""; ErrorName = ""; }

        public OpenClException(string function, int errorCode)
            : this(function, errorCode, function + " failed: " + OpenClErrors.Name(errorCode)) { }

        public OpenClException(string function, int errorCode, string message) : base(message)
        {
            Function = function;
            ErrorCode = errorCode;
            ErrorName = OpenClErrors.Name(errorCode);
        }

        /// <summary>The OpenCL function that failed (<c>clEnqueueNDRangeKernel</c>), empty when none did.</summary>
        public string Function { get; }

        public int ErrorCode { get; }

        /// <summary>The symbolic name of <see cref="ErrorCode"/>: <c>CL_INVALID_WORK_GROUP_SIZE</c>.</summary>
        public string ErrorName { get; }
    }

    /// <summary>An OpenCL C program that did not compile: the message is the compiler's log, as it wrote it.</summary>
    public sealed class OpenClBuildException : OpenClException
    {
        public OpenClBuildException() : base("an OpenCL C program did not build") { BuildLog = ""; }

        public OpenClBuildException(string message) : base(message) { BuildLog = ""; }

        public OpenClBuildException(string message, Exception innerException) : base(message, innerException) { BuildLog = ""; }

        public OpenClBuildException(string device, int errorCode, string buildLog)
            : base("clBuildProgram", errorCode, "the OpenCL C program did not build for " + device + ":\n" + buildLog.TrimEnd())
        {
            BuildLog = buildLog;
        }

        /// <summary>The compiler's log for the device.</summary>
        public string BuildLog { get; }
    }

    /// <summary>No OpenCL to run on: the loader is missing, or it finds no platform or no usable device.</summary>
    public sealed class OpenClUnavailableException : Exception
    {
        /// <summary>What to install on Debian and Ubuntu to get a CPU implementation.</summary>
        public const string InstallHint = "install pocl-opencl-icd and ocl-icd-libopencl1";

        public OpenClUnavailableException() : base("no OpenCL platform: " + InstallHint) { }

        public OpenClUnavailableException(string message) : base(message) { }

        public OpenClUnavailableException(string message, Exception innerException) : base(message, innerException) { }
    }
}
