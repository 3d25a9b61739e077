using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace AE.Kernels.OpenCl
{
    /// <summary>An installed OpenCL platform (a vendor driver found by the ICD loader) and its devices.</summary>
    public sealed class OpenClPlatform
    {
        private OpenClPlatform(nint id)
        {
            Id = id;
            Name = Info(Native.CL_PLATFORM_NAME);
            Vendor = Info(Native.CL_PLATFORM_VENDOR);
            Version = Info(Native.CL_PLATFORM_VERSION);
            Profile = Info(Native.CL_PLATFORM_PROFILE);
            Extensions = Split(Info(Native.CL_PLATFORM_EXTENSIONS));
            Devices = LoadDevices();
        }

        internal nint Id { get; }

        public string Name { get; }

        public string Vendor { get; }

        /// <summary><c>OpenCL 3.0 PoCL 3.1+debian ...</c></summary>
        public string Version { get; }

        public string Profile { get; }

        public IReadOnlyList<string> Extensions { get; }

        public IReadOnlyList<OpenClDevice> Devices { get; }

        public override string ToString() => Name + " (" + Version + ")";

        /// <summary>
        /// Every platform the ICD loader finds.
        /// </summary>
        /// <exception cref="OpenClUnavailableException">no loader, or no platform: the message says what to install</exception>
        public static IReadOnlyList<OpenClPlatform> GetPlatforms()
        {
            unsafe
            {
                uint count;
                int code;
                try
                {
                    Native.EnsureResolver();
                    code = Native.clGetPlatformIDs(0, null, &count);
                }
                catch (DllNotFoundException ex)
                {
                    throw new OpenClUnavailableException("no OpenCL loader (libOpenCL.so.1): " + OpenClUnavailableException.InstallHint, ex);
                }
                catch (EntryPointNotFoundException ex)
                {
                    throw new OpenClUnavailableException("the OpenCL loader lacks clGetPlatformIDs: " + OpenClUnavailableException.InstallHint, ex);
                }
                // The ICD loader answers CL_PLATFORM_NOT_FOUND_KHR when no vendor file names a driver that loads.
                if (code == Native.CL_PLATFORM_NOT_FOUND_KHR || (code == Native.CL_SUCCESS && count == 0))
                    throw new OpenClUnavailableException();
                OpenClErrors.Check(code, "clGetPlatformIDs");
                var ids = new nint[count];
                fixed (nint* p = ids) OpenClErrors.Check(Native.clGetPlatformIDs(count, p, null), "clGetPlatformIDs");
                return ids.Select(id => new OpenClPlatform(id)).ToList();
            }
        }

        /// <summary>
        /// The device laws run on: the one whose platform or device name contains
        /// <c>AE_OPENCL_DEVICE</c> when that is set, else the first GPU with double precision, else
        /// the first device with double precision (the scalar law always runs in double).
        /// </summary>
        /// <exception cref="OpenClUnavailableException">no platform, or no device with cl_khr_fp64</exception>
        public static OpenClDevice DefaultDevice()
        {
            var devices = GetPlatforms().SelectMany(p => p.Devices).ToList();
            string? wanted = Environment.GetEnvironmentVariable("AE_OPENCL_DEVICE");
            if (!string.IsNullOrWhiteSpace(wanted))
            {
                return devices.FirstOrDefault(d => d.Name.Contains(wanted, StringComparison.OrdinalIgnoreCase) || d.Platform.Name.Contains(wanted, StringComparison.OrdinalIgnoreCase))
                    ?? throw new OpenClUnavailableException("no OpenCL device matches AE_OPENCL_DEVICE='" + wanted + "'; devices: " + string.Join(", ", devices.Select(d => d.Name)));
            }
            return devices.FirstOrDefault(d => d.SupportsDouble && d.Type == OpenClDeviceType.Gpu)
                ?? devices.FirstOrDefault(d => d.SupportsDouble)
                ?? throw new OpenClUnavailableException("no OpenCL device supports double precision (cl_khr_fp64); devices: "
                    + (devices.Count == 0 ? "none" : string.Join(", ", devices.Select(d => d.Name))));
        }

        private unsafe string Info(uint param)
        {
            nuint size;
            OpenClErrors.Check(Native.clGetPlatformInfo(Id, param, 0, null, &size), "clGetPlatformInfo");
            var bytes = new byte[(int)size];
            fixed (byte* p = bytes) OpenClErrors.Check(Native.clGetPlatformInfo(Id, param, size, p, null), "clGetPlatformInfo");
            return DecodeString(bytes);
        }

        private unsafe IReadOnlyList<OpenClDevice> LoadDevices()
        {
            uint count;
            int code = Native.clGetDeviceIDs(Id, Native.CL_DEVICE_TYPE_ALL, 0, null, &count);
            if (code == Native.CL_DEVICE_NOT_FOUND) return Array.Empty<OpenClDevice>();
            OpenClErrors.Check(code, "clGetDeviceIDs");
            var ids = new nint[count];
            fixed (nint* p = ids) OpenClErrors.Check(Native.clGetDeviceIDs(Id, Native.CL_DEVICE_TYPE_ALL, count, p, null), "clGetDeviceIDs");
            return ids.Select(id => new OpenClDevice(this, id)).ToList();
        }

        internal static string DecodeString(byte[] bytes)
        {
            int end = Array.IndexOf(bytes, (byte)0);
            return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end).Trim();
        }

        internal static IReadOnlyList<string> Split(string list) =>
            list.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public enum OpenClDeviceType { Other, Cpu, Gpu, Accelerator }

    /// <summary>One compute device of a platform: what it is and what it can do.</summary>
    public sealed class OpenClDevice
    {
        internal OpenClDevice(OpenClPlatform platform, nint id)
        {
            Platform = platform;
            Id = id;
            Name = StringInfo(Native.CL_DEVICE_NAME);
            Vendor = StringInfo(Native.CL_DEVICE_VENDOR);
            Version = StringInfo(Native.CL_DEVICE_VERSION);
            DriverVersion = StringInfo(Native.CL_DRIVER_VERSION);
            OpenClCVersion = StringInfo(Native.CL_DEVICE_OPENCL_C_VERSION);
            Extensions = OpenClPlatform.Split(StringInfo(Native.CL_DEVICE_EXTENSIONS));
            ulong type = ULongInfo(Native.CL_DEVICE_TYPE);
            Type = (type & Native.CL_DEVICE_TYPE_GPU) != 0 ? OpenClDeviceType.Gpu
                : (type & Native.CL_DEVICE_TYPE_CPU) != 0 ? OpenClDeviceType.Cpu
                : (type & Native.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? OpenClDeviceType.Accelerator
                : OpenClDeviceType.Other;
            ComputeUnits = (int)UIntInfo(Native.CL_DEVICE_MAX_COMPUTE_UNITS);
            MaxWorkGroupSize = (long)SizeInfo(Native.CL_DEVICE_MAX_WORK_GROUP_SIZE);
            LocalMemorySize = (long)ULongInfo(Native.CL_DEVICE_LOCAL_MEM_SIZE);
            GlobalMemorySize = (long)ULongInfo(Native.CL_DEVICE_GLOBAL_MEM_SIZE);
            // OpenCL 1.2+ reports double support through the extension list (and a non-zero fp config).
            SupportsDouble = Extensions.Contains("cl_khr_fp64") || ULongInfo(Native.CL_DEVICE_DOUBLE_FP_CONFIG) != 0;
        }

        internal nint Id { get; }

        public OpenClPlatform Platform { get; }

        public string Name { get; }

        public string Vendor { get; }

        /// <summary><c>OpenCL 3.0 PoCL HSTR: ...</c></summary>
        public string Version { get; }

        public string DriverVersion { get; }

        /// <summary><c>OpenCL C 1.2 PoCL</c></summary>
        public string OpenClCVersion { get; }

        public IReadOnlyList<string> Extensions { get; }

        public OpenClDeviceType Type { get; }

        public int ComputeUnits { get; }

        public long MaxWorkGroupSize { get; }

        public long LocalMemorySize { get; }

        public long GlobalMemorySize { get; }

        /// <summary>Whether the device has cl_khr_fp64, which every law program needs.</summary>
        public bool SupportsDouble { get; }

        public override string ToString() => Name + " on " + Platform.Name;

        private unsafe byte[] Raw(uint param)
        {
            nuint size;
            OpenClErrors.Check(Native.clGetDeviceInfo(Id, param, 0, null, &size), "clGetDeviceInfo");
            var bytes = new byte[(int)size];
            fixed (byte* p = bytes) OpenClErrors.Check(Native.clGetDeviceInfo(Id, param, size, p, null), "clGetDeviceInfo");
            return bytes;
        }

        private string StringInfo(uint param) => OpenClPlatform.DecodeString(Raw(param));

        private ulong ULongInfo(uint param)
        {
            var b = Raw(param);
            return b.Length >= 8 ? BitConverter.ToUInt64(b, 0) : b.Length >= 4 ? BitConverter.ToUInt32(b, 0) : 0;
        }

        private uint UIntInfo(uint param) => (uint)ULongInfo(param);

        private ulong SizeInfo(uint param) => ULongInfo(param);
    }
}
