using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// The vector operations of the layer kernels (<see cref="CellKernels{T}"/>) for one vector width, so that one
    /// kernel body serves every width: the JIT compiles a generic method once per struct argument, with these calls
    /// inlined, so the body costs what a hand-written copy per width would.
    /// </summary>
    internal interface ILanes<T, TV> where T : unmanaged, IFloatingPointIeee754<T> where TV : struct
    {
        static abstract int Count { get; }

        static abstract TV Zero { get; }

        static abstract TV Splat(T value);

        static abstract TV Load(ref T source, nuint at);

        static abstract void Store(TV value, ref T destination, nuint at);

        /// <summary>acc + a b: fused in float32 where the CPU has fused multiply-add, a multiply then an add otherwise (see CellKernels.MulAdd).</summary>
        static abstract TV MulAdd(TV a, TV b, TV acc);

        static abstract TV Add(TV a, TV b);

        static abstract T Sum(TV value);
    }

    /// <summary>512-bit vectors (used only where <see cref="Vector512.IsHardwareAccelerated"/>).</summary>
    internal readonly struct Lanes512<T> : ILanes<T, Vector512<T>> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector512<T>.Count;

        public static Vector512<T> Zero => Vector512<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Splat(T value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Load(ref T source, nuint at) => Vector512.LoadUnsafe(ref source, at);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<T> value, ref T destination, nuint at) => value.StoreUnsafe(ref destination, at);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> MulAdd(Vector512<T> a, Vector512<T> b, Vector512<T> acc) =>
            typeof(T) == typeof(float) && Fma.IsSupported
                ? Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), acc.As<T, float>()).As<float, T>()
                : acc + a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(Vector512<T> value) => Vector512.Sum(value);
    }

    /// <summary><see cref="Vector{T}"/>: 256 bits with AVX2 (also where the CPU has 512-bit vectors), 128 with SSE or Arm's AdvSimd.</summary>
    internal readonly struct LanesVector<T> : ILanes<T, Vector<T>> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector<T>.Count;

        public static Vector<T> Zero => Vector<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Splat(T value) => new(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Load(ref T source, nuint at) => Vector.LoadUnsafe(ref source, at);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector<T> value, ref T destination, nuint at) => value.StoreUnsafe(ref destination, at);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> MulAdd(Vector<T> a, Vector<T> b, Vector<T> acc) =>
            typeof(T) == typeof(float) && Fma.IsSupported
                ? Vector.As<float, T>(Vector.FusedMultiplyAdd(Vector.As<T, float>(a), Vector.As<T, float>(b), Vector.As<T, float>(acc)))
                : acc + a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Add(Vector<T> a, Vector<T> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(Vector<T> value) => Vector.Sum(value);
    }
}
