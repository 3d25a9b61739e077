using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AE.Runtime.Simd
{
    /// <summary>
    /// What the generated SIMD passes need beyond the lane arithmetic of <see cref="AeLanes"/> (which
    /// they share with populations): the fixed chunking, the kernel and thread choice, pointer loads
    /// and stores, the lanes' reductions in a fixed order, and counter-based draws (AeNoise).
    /// </summary>
    public static unsafe class AeSimd
    {
        /// <summary>Lanes per vector: the generated loops step by this.</summary>
        public const int Width = 4;

        /// <summary>Elements per chunk: the fixed partition behind the deterministic reductions (a multiple of <see cref="Width"/>).</summary>
        public const int ChunkSize = 16384;

        /// <summary>
        /// Vectors at least this long take the SIMD loops under <see cref="StepKernel.Auto"/>. Measured on AE-SGDm
        /// (docs/results.md): at 32 elements both loops cost the same, at 100 the SIMD loop is 2x faster, at 1,000 6x;
        /// below the threshold the scalar loops keep the reference interpreter's bits at about the same speed.
        /// </summary>
        public const int AutoThreshold = 128;

        /// <summary>Chunks from which a pass is spread over threads: fewer do not pay for the hand-off.</summary>
        public const int ParallelChunks = 4;

        /// <summary>
        /// A kernel a caller set (a generated law's <c>Kernel</c>), checked: a value outside <see cref="StepKernel"/> would run
        /// the scalar loops without a word, so it is refused where it is set, as <see cref="AeWorkers.ValidThreads"/> refuses a thread cap.
        /// </summary>
        public static StepKernel ValidKernel(StepKernel value) => value is StepKernel.Auto or StepKernel.Scalar or StepKernel.Simd ? value
            : throw new ArgumentOutOfRangeException("Kernel", value, "Kernel must be StepKernel.Auto, Scalar or Simd.");

        public static bool UseSimd(StepKernel kernel, int length) => kernel == StepKernel.Simd || (kernel == StepKernel.Auto && length >= AutoThreshold);

        /// <summary>Threads for a pass of <paramref name="chunks"/> chunks (draws need no order: each is a function of its element).</summary>
        public static int Threads(int maxThreads, int chunks) => chunks < ParallelChunks ? 1 : maxThreads;

        /// <summary>Chunks of <see cref="ChunkSize"/> covering <paramref name="length"/> elements.</summary>
        public static int Chunks(int length) => (int)(((long)length + ChunkSize - 1) / ChunkSize);

        // ------------------------------------------------------------ loads and stores

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(double* p) => Vector256.Load(p);

        /// <summary>Four floats widened to doubles, exactly as (double)x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(float* p)
        {
            if (Avx.IsSupported) return Avx.ConvertToVector256Double(Vector128.Load(p));
            return Vector256.Create((double)p[0], p[1], p[2], p[3]);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<double> v, double* p) => v.Store(p);

        /// <summary>Four doubles rounded to floats (to nearest, ties to even), exactly as (float)x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<double> v, float* p)
        {
            if (Avx.IsSupported) { Avx.ConvertToVector128Single(v).Store(p); return; }
            p[0] = (float)v.GetElement(0); p[1] = (float)v.GetElement(1); p[2] = (float)v.GetElement(2); p[3] = (float)v.GetElement(3);
        }

        // ------------------------------------------------------------ one method for both precisions

        // A generated step and its passes are generic over the element type T of the host's vectors,
        // float or double (no other T reaches them). Their loads and stores go through these helpers,
        // whose typeof(T) tests the JIT folds for each T: the code it makes for T = double has no trace
        // of the float path and the other way round, so one method costs what two hand-written ones do.

        /// <summary>1 for double, 2 for float: the precision a step of <typeparamref name="T"/> fixes for its instance.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Precision<T>() where T : unmanaged => typeof(T) == typeof(float) ? 2 : 1;

        /// <summary>
        /// Throws unless an instance that stepped in <paramref name="current"/> (0: not yet) may step in <typeparamref name="T"/>:
        /// "this {what} steps in float; make another {kind} for double".
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CheckPrecision<T>(int current, string what, string kind) where T : unmanaged
        {
            if (current != 0 && current != Precision<T>()) PrecisionMismatch(current, what, kind);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void PrecisionMismatch(int current, string what, string kind) =>
            throw new InvalidOperationException("this " + what + " steps in " + (current == 2 ? "float" : "double") + "; make another " + kind + " for " + (current == 2 ? "double" : "float"));

        /// <summary>An element as a double: a float widened exactly, as <c>(double)x</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Widen<T>(T x) where T : unmanaged => typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref x) : Unsafe.As<T, double>(ref x);

        /// <summary>A double as an element: rounded to float (to nearest, ties to even), as <c>(float)x</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Narrow<T>(double x) where T : unmanaged
        {
            if (typeof(T) == typeof(float))
            {
                float f = (float)x;
                return Unsafe.As<float, T>(ref f);
            }
            return Unsafe.As<double, T>(ref x);
        }

        /// <summary>Four elements as doubles: <see cref="Load(double*)"/> or <see cref="Load(float*)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load<T>(T* p) where T : unmanaged => typeof(T) == typeof(float) ? Load((float*)p) : Load((double*)p);

        /// <summary>Four doubles as elements: <see cref="Store(Vector256{double}, double*)"/> or <see cref="Store(Vector256{double}, float*)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store<T>(Vector256<double> v, T* p) where T : unmanaged
        {
            if (typeof(T) == typeof(float)) Store(v, (float*)p);
            else Store(v, (double*)p);
        }

        /// <summary>A vector the law owns, in the precision it steps in: its double array, or the float copy.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T[] Storage<T>(double[] values, float[]? floats) where T : unmanaged =>
            typeof(T) == typeof(float) ? Unsafe.As<T[]>(floats!) : Unsafe.As<T[]>(values);

        /// <summary>The float copy of a vector a law owns, made on its first float step: each value as <c>(float)x</c>.</summary>
        public static float[] ToFloat(double[] values)
        {
            var f = new float[values.Length];
            for (int i = 0; i < values.Length; i++) f[i] = (float)values[i];
            return f;
        }

        // ------------------------------------------------------------ reductions

        /// <summary>The lanes' sum in a fixed order: (l0 + l1) + (l2 + l3).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Sum(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double MaxLane(Vector256<double> v) => Math.Max(Math.Max(v.GetElement(0), v.GetElement(1)), Math.Max(v.GetElement(2), v.GetElement(3)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double MinLane(Vector256<double> v) => Math.Min(Math.Min(v.GetElement(0), v.GetElement(1)), Math.Min(v.GetElement(2), v.GetElement(3)));

        /// <summary>Elements a vector loop draws a block at a time (a buffer of doubles per draw site on the stack: 8 KiB, in L1).</summary>
        public const int DrawBlock = 1024;

        /// <summary>Draws <paramref name="index"/> to <paramref name="index"/> + <paramref name="length"/> - 1 of a noise() site at a step, bit for bit <see cref="CounterNoise.Gaussian"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Fill(ulong seed, ulong step, int site, long index, double* destination, int length) =>
            AeNoise.Fill(seed, step, site, index, new Span<double>(destination, length));
    }
}
