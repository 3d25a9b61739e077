using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AE.Runtime
{
    /// <summary>
    /// What a generated population (K controllers of one law, one SIMD lane each) calls. A bool is a
    /// lane mask (all bits set or clear). Every function gives, lane by lane, the bits the scalar law
    /// computes with <see cref="AeMath"/> and <see cref="Math"/>: where no vector instruction is known
    /// to round identically (exp, log, tanh, pow, ...) the scalar function runs once per lane, and
    /// filters and draws run per lane only where the mask is set, so a controller's state and random
    /// stream advance exactly as the scalar law's would.
    /// </summary>
    public static class AeLanes
    {
        /// <summary>Lanes per block: controllers stepped together.</summary>
        public const int Lanes = 4;

        /// <summary>
        /// The blocks of <see cref="Lanes"/> controllers a population of <paramref name="k"/> controllers needs, checked before
        /// anything is allocated: its largest array holds <paramref name="longest"/> vectors per block (its longest per-controller
        /// vector) or one double per lane, and an array longer than .NET allows would overflow the generated <c>int</c> sizes
        /// (a wrong array, or a bare OverflowException). Too large is an ArgumentOutOfRangeException naming k and the dims.
        /// </summary>
        /// <param name="kName">the constructor's parameter for k</param>
        /// <param name="dims">the run-time dims as "n = 1000", for the message</param>
        public static int Blocks(int k, string kName, long longest, string dims)
        {
            long blocks = ((long)k + Lanes - 1) / Lanes;
            long elements = Math.Max(longest * blocks, blocks * Lanes);
            if (elements > Array.MaxLength)
                throw new ArgumentOutOfRangeException(kName, k,
                    $"a population of {kName} = {k} controllers{(dims.Length > 0 ? " over " + dims : "")} needs an array of {elements} elements; .NET allows {Array.MaxLength} (use fewer controllers or a smaller dimension)");
            return (int)blocks;
        }

        // ------------------------------------------------------------ host data, lanes

        /// <summary>Four lanes from <paramref name="offset"/>; when fewer than four remain (<paramref name="available"/>), the rest are 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(ReadOnlySpan<double> data, int offset, int available)
        {
            if (available >= Lanes)
            {
                // One check for four lanes: LoadUnsafe itself checks nothing.
                if (offset < 0 || offset > data.Length - Lanes) OutOfRange();
                return Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(data), (nuint)offset);
            }
            return LoadPartial(data, offset, available);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void OutOfRange() => throw new ArgumentOutOfRangeException("offset", "four lanes past the end of the data");

        private static Vector256<double> LoadPartial(ReadOnlySpan<double> data, int offset, int available) => Vector256.Create(
            data[offset],
            available > 1 ? data[offset + 1] : 0.0,
            available > 2 ? data[offset + 2] : 0.0,
            0.0);

        /// <summary>Writes the first min(4, <paramref name="available"/>) lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Span<double> data, int offset, int available, Vector256<double> value)
        {
            if (available >= Lanes)
            {
                if (offset < 0 || offset > data.Length - Lanes) OutOfRange();
                value.StoreUnsafe(ref MemoryMarshal.GetReference(data), (nuint)offset);
                return;
            }
            StorePartial(data, offset, available, value);
        }

        private static void StorePartial(Span<double> data, int offset, int available, Vector256<double> value)
        {
            data[offset] = value.GetElement(0);
            if (available > 1) data[offset + 1] = value.GetElement(1);
            if (available > 2) data[offset + 2] = value.GetElement(2);
        }

        /// <summary>Four lanes of float host data, widened (exactly); when fewer than four remain, the rest are 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(ReadOnlySpan<float> data, int offset, int available)
        {
            if (available >= Lanes)
            {
                if (offset < 0 || offset > data.Length - Lanes) OutOfRange();
                return Widen(Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(data), (nuint)offset));
            }
            return Vector256.Create(
                (double)data[offset],
                available > 1 ? data[offset + 1] : 0.0,
                available > 2 ? data[offset + 2] : 0.0,
                0.0);
        }

        /// <summary>Writes the first min(4, <paramref name="available"/>) lanes, each rounded to float as a cast rounds it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Span<float> data, int offset, int available, Vector256<double> value)
        {
            if (available >= Lanes)
            {
                if (offset < 0 || offset > data.Length - Lanes) OutOfRange();
                Narrow(value).StoreUnsafe(ref MemoryMarshal.GetReference(data), (nuint)offset);
                return;
            }
            data[offset] = (float)value.GetElement(0);
            if (available > 1) data[offset + 1] = (float)value.GetElement(1);
            if (available > 2) data[offset + 2] = (float)value.GetElement(2);
        }

        /// <summary>Block <paramref name="block"/> (four lanes) of a population's float vector, widened.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(float[] data, int block) => Widen(Vector128.Create(data, block * Lanes));

        /// <summary>Block <paramref name="block"/> of a population's float vector, each lane rounded as a cast rounds it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(float[] data, int block, Vector256<double> value) => Narrow(value).CopyTo(data, block * Lanes);

        // One population step serves both precisions: it is generic over the element type T of the host's
        // data (float or double, nothing else), and these forward to the overloads above; the JIT folds
        // typeof(T) for each T, so each precision's code has only its own branch.

        /// <summary>Four lanes of host data, float or double, as <see cref="Load(ReadOnlySpan{double}, int, int)"/> and <see cref="Load(ReadOnlySpan{float}, int, int)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load<T>(ReadOnlySpan<T> data, int offset, int available) where T : unmanaged => typeof(T) == typeof(float)
            ? Load(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(data)), data.Length), offset, available)
            : Load(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(data)), data.Length), offset, available);

        /// <summary>Four lanes of host data the step also writes (a host-owned vector), as <see cref="Load{T}(ReadOnlySpan{T}, int, int)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load<T>(Span<T> data, int offset, int available) where T : unmanaged => Load((ReadOnlySpan<T>)data, offset, available);

        /// <summary>Writes lanes to host data, float or double, as the overloads above.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store<T>(Span<T> data, int offset, int available, Vector256<double> value) where T : unmanaged
        {
            if (typeof(T) == typeof(float)) Store(MemoryMarshal.CreateSpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(data)), data.Length), offset, available, value);
            else Store(MemoryMarshal.CreateSpan(ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(data)), data.Length), offset, available, value);
        }

        /// <summary>Block <paramref name="block"/> of a vector the population owns, in the precision it steps in: the double array's, or the float copy's widened.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load<T>(Vector256<double>[] values, float[]? floats, int block) where T : unmanaged =>
            typeof(T) == typeof(float) ? Load(floats!, block) : values[block];

        /// <summary>Writes block <paramref name="block"/> of a vector the population owns, in the precision it steps in.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store<T>(Vector256<double>[] values, float[]? floats, int block, Vector256<double> value) where T : unmanaged
        {
            if (typeof(T) == typeof(float)) Store(floats!, block, value);
            else values[block] = value;
        }

        /// <summary>The float copy of a vector a population owns, made on its first float step (each lane as <c>(float)x</c>).</summary>
        public static float[] ToFloat(Vector256<double>[] values)
        {
            var f = new float[values.Length * Lanes];
            for (int b = 0; b < values.Length; b++) Store(f, b, values[b]);
            return f;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Widen(Vector128<float> v) => Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Narrow(Vector256<double> v) => Vector128.Narrow(v.GetLower(), v.GetUpper());

        /// <summary>Bools from the host as lane masks.</summary>
        public static Vector256<double> LoadMask(ReadOnlySpan<bool> data, int offset, int available) => Vector256.Create(
            data[offset] ? -1L : 0L,
            available > 1 && data[offset + 1] ? -1L : 0L,
            available > 2 && data[offset + 2] ? -1L : 0L,
            available > 3 && data[offset + 3] ? -1L : 0L).AsDouble();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Lane(Vector256<double> v, int lane) => v.GetElement(lane);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsSet(Vector256<double> mask, int lane) => mask.AsInt64().GetElement(lane) != 0;

        public static void SetLane(ref Vector256<double> v, int lane, double value) => v = v.WithElement(lane, value);

        public static void SetMask(ref Vector256<double> v, int lane, bool on) => v = v.AsInt64().WithElement(lane, on ? -1L : 0L).AsDouble();

        /// <summary>A mask of every lane for a bool.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Mask(bool on) => on ? Vector256<double>.AllBitsSet : Vector256<double>.Zero;

        /// <summary>Whether any lane of the mask is set.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Any(Vector256<double> mask) => mask.ExtractMostSignificantBits() != 0;

        // ------------------------------------------------------------ exact in SIMD

        /// <summary>-x: flips the sign bit, as scalar negation does (so -0 and NaN keep their bits).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Neg(Vector256<double> x) => x ^ Vector256.Create(-0.0);

        /// <summary>Math.Abs: clears the sign bit.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Abs(Vector256<double> x) => Vector256.AndNot(x, Vector256.Create(-0.0));

        /// <summary>
        /// Math.Max step for step (a NaN operand is the result, the first of two; +0 above -0), with
        /// selects that keep every bit. Vector256.Max agrees in optimised code, but its fallback in
        /// unoptimised code (a Debug build, tier 0) returns the second of two NaNs.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Max(Vector256<double> a, Vector256<double> b)
        {
            var differ = Vector256.ConditionalSelect(Vector256.Equals(a, a), Vector256.ConditionalSelect(Vector256.LessThan(b, a), a, b), a);
            var equal = Vector256.ConditionalSelect(Vector256.LessThan(b.AsInt64(), Vector256<long>.Zero).AsDouble(), a, b);
            return Vector256.ConditionalSelect(Vector256.Equals(a, b), equal, differ);
        }

        /// <summary>Math.Min step for step (a NaN operand is the result, the first of two; -0 below +0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Min(Vector256<double> a, Vector256<double> b)
        {
            var differ = Vector256.ConditionalSelect(Vector256.Equals(a, a), Vector256.ConditionalSelect(Vector256.LessThan(a, b), a, b), a);
            var equal = Vector256.ConditionalSelect(Vector256.LessThan(a.AsInt64(), Vector256<long>.Zero).AsDouble(), a, b);
            return Vector256.ConditionalSelect(Vector256.Equals(a, b), equal, differ);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Clamp(Vector256<double> x, Vector256<double> lo, Vector256<double> hi) => Min(Max(x, lo), hi);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Relu(Vector256<double> x) => Max(x, Vector256<double>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Lerp(Vector256<double> a, Vector256<double> b, Vector256<double> w) => a + (b - a) * w;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> SoftAbs(Vector256<double> x, Vector256<double> eps) => Vector256.Sqrt(x * x + eps * eps);

        /// <summary>Not NaN and not infinite: |x| &lt; inf is false for both.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> IsFinite(Vector256<double> x) => Vector256.LessThan(Abs(x), Vector256.Create(double.PositiveInfinity));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> FiniteOr(Vector256<double> x, Vector256<double> alt) => Vector256.ConditionalSelect(IsFinite(x), x, alt);

        /// <summary>AeMath.Sanitize: NaN to 0, +inf to lim, -inf to -lim.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Sanitize(Vector256<double> x, Vector256<double> lim)
        {
            var r = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(double.NegativeInfinity)), Neg(lim), x);
            r = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(double.PositiveInfinity)), lim, r);
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), r, Vector256<double>.Zero);
        }

        /// <summary><see cref="AeMath.Sign"/>: -1, 0 or 1 (of -0: 0), NaN for NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Sign(Vector256<double> x)
        {
            var pos = Vector256.GreaterThan(x, Vector256<double>.Zero) & Vector256.Create(1.0);
            var neg = Vector256.LessThan(x, Vector256<double>.Zero) & Vector256.Create(1.0);
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), pos - neg, x);
        }

        /// <summary>A bool as 1 or 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Num(Vector256<double> mask) => mask & Vector256.Create(1.0);

        /// <summary>x != 0 as a mask (NaN counts as true, as in C#).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Bool(Vector256<double> x) => ~Vector256.Equals(x, Vector256<double>.Zero);

        /// <summary>
        /// a == b of two bools: the lanes where the masks are equal, compared as 64-bit integers (exact, for
        /// masks have all bits set or clear). Not written ~(a ^ b): where AVX-512 is used, the .NET 10 JIT
        /// miscompiles that form nested with comparisons, as the population's <c>true == (c1 == (c2 != true))</c>
        /// was (<c>~(AllBitsSet ^ ~(GreaterThan(x, y) ^ (LessThanOrEqual(p, q) ^ AllBitsSet)))</c> with x = y = 0,
        /// p = 1, q = 0 gave set lanes, some with other bits, for clear ones); an integer compare breaks the chain
        /// of bitwise operations the JIT folds.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> MaskEquals(Vector256<double> a, Vector256<double> b) => Vector256.Equals(a.AsUInt64(), b.AsUInt64()).AsDouble();

        /// <summary>a != b of two bools, as <see cref="MaskEquals"/> (not a ^ b, for the same reason).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> MaskNotEquals(Vector256<double> a, Vector256<double> b) => ~Vector256.Equals(a.AsUInt64(), b.AsUInt64()).AsDouble();

        // ------------------------------------------------------------ the scalar function per lane

        public static Vector256<double> Exp(Vector256<double> x) => Vector256.Create(Math.Exp(x.GetElement(0)), Math.Exp(x.GetElement(1)), Math.Exp(x.GetElement(2)), Math.Exp(x.GetElement(3)));
        public static Vector256<double> Log(Vector256<double> x) => Vector256.Create(Math.Log(x.GetElement(0)), Math.Log(x.GetElement(1)), Math.Log(x.GetElement(2)), Math.Log(x.GetElement(3)));
        public static Vector256<double> Tanh(Vector256<double> x) => Vector256.Create(Math.Tanh(x.GetElement(0)), Math.Tanh(x.GetElement(1)), Math.Tanh(x.GetElement(2)), Math.Tanh(x.GetElement(3)));
        public static Vector256<double> Sin(Vector256<double> x) => Vector256.Create(Math.Sin(x.GetElement(0)), Math.Sin(x.GetElement(1)), Math.Sin(x.GetElement(2)), Math.Sin(x.GetElement(3)));
        public static Vector256<double> Cos(Vector256<double> x) => Vector256.Create(Math.Cos(x.GetElement(0)), Math.Cos(x.GetElement(1)), Math.Cos(x.GetElement(2)), Math.Cos(x.GetElement(3)));
        public static Vector256<double> Sigmoid(Vector256<double> x) => Vector256.Create(AeMath.Sigmoid(x.GetElement(0)), AeMath.Sigmoid(x.GetElement(1)), AeMath.Sigmoid(x.GetElement(2)), AeMath.Sigmoid(x.GetElement(3)));
        public static Vector256<double> Softplus(Vector256<double> x) => Vector256.Create(AeMath.Softplus(x.GetElement(0)), AeMath.Softplus(x.GetElement(1)), AeMath.Softplus(x.GetElement(2)), AeMath.Softplus(x.GetElement(3)));
        public static Vector256<double> Log1p(Vector256<double> x) => Vector256.Create(AeMath.Log1p(x.GetElement(0)), AeMath.Log1p(x.GetElement(1)), AeMath.Log1p(x.GetElement(2)), AeMath.Log1p(x.GetElement(3)));

        public static Vector256<double> Pow(Vector256<double> x, Vector256<double> y) => Vector256.Create(
            Math.Pow(x.GetElement(0), y.GetElement(0)), Math.Pow(x.GetElement(1), y.GetElement(1)),
            Math.Pow(x.GetElement(2), y.GetElement(2)), Math.Pow(x.GetElement(3), y.GetElement(3)));

        /// <summary>C#'s % on doubles (truncated remainder, the sign of x).</summary>
        public static Vector256<double> Mod(Vector256<double> x, Vector256<double> y) => Vector256.Create(
            x.GetElement(0) % y.GetElement(0), x.GetElement(1) % y.GetElement(1),
            x.GetElement(2) % y.GetElement(2), x.GetElement(3) % y.GetElement(3));

        public static Vector256<double> SoftClamp(Vector256<double> x, Vector256<double> lo, Vector256<double> hi) => Vector256.Create(
            AeMath.SoftClamp(x.GetElement(0), lo.GetElement(0), hi.GetElement(0)), AeMath.SoftClamp(x.GetElement(1), lo.GetElement(1), hi.GetElement(1)),
            AeMath.SoftClamp(x.GetElement(2), lo.GetElement(2), hi.GetElement(2)), AeMath.SoftClamp(x.GetElement(3), lo.GetElement(3), hi.GetElement(3)));

        public static Vector256<double> SmoothMax(Vector256<double> a, Vector256<double> b, Vector256<double> k) => Vector256.Create(
            AeMath.SmoothMax(a.GetElement(0), b.GetElement(0), k.GetElement(0)), AeMath.SmoothMax(a.GetElement(1), b.GetElement(1), k.GetElement(1)),
            AeMath.SmoothMax(a.GetElement(2), b.GetElement(2), k.GetElement(2)), AeMath.SmoothMax(a.GetElement(3), b.GetElement(3), k.GetElement(3)));

        public static Vector256<double> SmoothMin(Vector256<double> a, Vector256<double> b, Vector256<double> k) => Vector256.Create(
            AeMath.SmoothMin(a.GetElement(0), b.GetElement(0), k.GetElement(0)), AeMath.SmoothMin(a.GetElement(1), b.GetElement(1), k.GetElement(1)),
            AeMath.SmoothMin(a.GetElement(2), b.GetElement(2), k.GetElement(2)), AeMath.SmoothMin(a.GetElement(3), b.GetElement(3), k.GetElement(3)));

        // ------------------------------------------------------------ side effects, masked

        /// <summary>
        /// <see cref="AeMath.Ema"/> on the lanes of <paramref name="active"/>, with the slots of
        /// lanes <paramref name="lane0"/>..+3; other lanes' slots are untouched and their results 0.
        /// </summary>
        public static Vector256<double> Ema(double[] m, long[] count, int lane0, Vector256<double> active, Vector256<double> beta, Vector256<double> x)
        {
            if (!Any(active)) return Vector256<double>.Zero;
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
            var a = active.AsInt64();
            if (a.GetElement(0) != 0) r0 = AeMath.Ema(ref m[lane0], ref count[lane0], beta.GetElement(0), x.GetElement(0));
            if (a.GetElement(1) != 0) r1 = AeMath.Ema(ref m[lane0 + 1], ref count[lane0 + 1], beta.GetElement(1), x.GetElement(1));
            if (a.GetElement(2) != 0) r2 = AeMath.Ema(ref m[lane0 + 2], ref count[lane0 + 2], beta.GetElement(2), x.GetElement(2));
            if (a.GetElement(3) != 0) r3 = AeMath.Ema(ref m[lane0 + 3], ref count[lane0 + 3], beta.GetElement(3), x.GetElement(3));
            return Vector256.Create(r0, r1, r2, r3);
        }

        /// <summary><see cref="AeMath.Lp"/> on the lanes of <paramref name="active"/>.</summary>
        public static Vector256<double> Lp(double[] m, long[] count, int lane0, Vector256<double> active, Vector256<double> beta, Vector256<double> x)
        {
            if (!Any(active)) return Vector256<double>.Zero;
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
            var a = active.AsInt64();
            if (a.GetElement(0) != 0) r0 = AeMath.Lp(ref m[lane0], ref count[lane0], beta.GetElement(0), x.GetElement(0));
            if (a.GetElement(1) != 0) r1 = AeMath.Lp(ref m[lane0 + 1], ref count[lane0 + 1], beta.GetElement(1), x.GetElement(1));
            if (a.GetElement(2) != 0) r2 = AeMath.Lp(ref m[lane0 + 2], ref count[lane0 + 2], beta.GetElement(2), x.GetElement(2));
            if (a.GetElement(3) != 0) r3 = AeMath.Lp(ref m[lane0 + 3], ref count[lane0 + 3], beta.GetElement(3), x.GetElement(3));
            return Vector256.Create(r0, r1, r2, r3);
        }

        /// <summary><see cref="AeMath.Prev"/> on the lanes of <paramref name="active"/>.</summary>
        public static Vector256<double> Prev(double[] last, long[] count, int lane0, Vector256<double> active, Vector256<double> x, Vector256<double> init)
        {
            if (!Any(active)) return Vector256<double>.Zero;
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
            var a = active.AsInt64();
            if (a.GetElement(0) != 0) r0 = AeMath.Prev(ref last[lane0], ref count[lane0], x.GetElement(0), init.GetElement(0));
            if (a.GetElement(1) != 0) r1 = AeMath.Prev(ref last[lane0 + 1], ref count[lane0 + 1], x.GetElement(1), init.GetElement(1));
            if (a.GetElement(2) != 0) r2 = AeMath.Prev(ref last[lane0 + 2], ref count[lane0 + 2], x.GetElement(2), init.GetElement(2));
            if (a.GetElement(3) != 0) r3 = AeMath.Prev(ref last[lane0 + 3], ref count[lane0 + 3], x.GetElement(3), init.GetElement(3));
            return Vector256.Create(r0, r1, r2, r3);
        }

        /// <summary><see cref="AeMath.Latch"/> on the lanes of <paramref name="active"/>; <paramref name="condition"/> is a mask.</summary>
        public static Vector256<double> Latch(double[] held, long[] latched, int lane0, Vector256<double> active, Vector256<double> condition, Vector256<double> value, Vector256<double> before)
        {
            if (!Any(active)) return Vector256<double>.Zero;
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
            var a = active.AsInt64();
            var c = condition.AsInt64();
            if (a.GetElement(0) != 0) r0 = AeMath.Latch(ref held[lane0], ref latched[lane0], c.GetElement(0) != 0, value.GetElement(0), before.GetElement(0));
            if (a.GetElement(1) != 0) r1 = AeMath.Latch(ref held[lane0 + 1], ref latched[lane0 + 1], c.GetElement(1) != 0, value.GetElement(1), before.GetElement(1));
            if (a.GetElement(2) != 0) r2 = AeMath.Latch(ref held[lane0 + 2], ref latched[lane0 + 2], c.GetElement(2) != 0, value.GetElement(2), before.GetElement(2));
            if (a.GetElement(3) != 0) r3 = AeMath.Latch(ref held[lane0 + 3], ref latched[lane0 + 3], c.GetElement(3) != 0, value.GetElement(3), before.GetElement(3));
            return Vector256.Create(r0, r1, r2, r3);
        }

        /// <summary>
        /// Element <paramref name="index"/> of a noise() site at a step for controllers <paramref name="lane0"/> to
        /// <paramref name="lane0"/> + 3, each with its law's seed (<paramref name="seed"/> + controller); 0 on the
        /// lanes not active and on the padding lanes past <paramref name="count"/>.
        /// </summary>
        public static Vector256<double> Noise(ulong seed, ulong step, int site, long index, int lane0, int count, Vector256<double> active)
        {
            if (!Any(active)) return Vector256<double>.Zero;
            var a = active.AsInt64();
            double Lane(int k) => a.GetElement(k) != 0 && lane0 + k < count ? CounterNoise.Gaussian(unchecked(seed + (ulong)(lane0 + k)), step, site, index) : 0.0;
            return Vector256.Create(Lane(0), Lane(1), Lane(2), Lane(3));
        }
    }
}
