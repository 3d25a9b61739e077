namespace AE.Dsl.Emit.OpenCl
{
    /// <summary>The helper functions every program starts with: AE.Runtime.AeMath's meanings, in OpenCL C.</summary>
    internal static class OpenClPrelude
    {
        public const string Text = @"#pragma OPENCL EXTENSION cl_khr_fp64 : enable
// No a*b+c contracted into an fma: every operation rounds once, as in the C# backend.
#pragma OPENCL FP_CONTRACT OFF

// ---- AE.Runtime.AeMath in OpenCL C, operation for operation

// .NET's Math.Max and Math.Min: a NaN wins and +0 is larger than -0 (OpenCL's fmax and fmin let a NaN lose).
double ae_max(double a, double b) { if (a != b) { if (!isnan(a)) return b < a ? a : b; return a; } return signbit(b) ? a : b; }
double ae_min(double a, double b) { if (a != b) { if (!isnan(a)) return a < b ? a : b; return a; } return signbit(a) ? a : b; }
double ae_clamp(double x, double lo, double hi) { return ae_min(ae_max(x, lo), hi); }
double ae_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
// Goldberg's log1p, as the seed's math.log1p (not OpenCL's log1p, which rounds differently).
double ae_log1p(double x) { double u = 1.0 + x; return u == 1.0 ? x : log(u) * x / (u - 1.0); }
double ae_softplus(double x) { return x > 20.0 ? x : x < -20.0 ? exp(x) : ae_log1p(exp(x)); }
double ae_softclamp(double x, double lo, double hi) { return lo + (hi - lo) * ae_sigmoid(4.0 * (x - 0.5 * (lo + hi)) / (hi - lo)); }
double ae_softabs(double x, double eps) { return sqrt(x * x + eps * eps); }
double ae_smoothmax(double a, double b, double k) { double m = ae_max(a, b); return m + log(exp(k * (a - m)) + exp(k * (b - m))) / k; }
double ae_smoothmin(double a, double b, double k) { double m = ae_min(a, b); return m - log(exp(-k * (a - m)) + exp(-k * (b - m))) / k; }
double ae_lerp(double a, double b, double w) { return a + (b - a) * w; }
double ae_relu(double x) { return ae_max(x, 0.0); }
// NaN gives NaN, as AeMath.Sign (Math.Sign itself throws on NaN).
double ae_sign(double x) { return isnan(x) ? x : x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0; }
int ae_isfinite(double x) { return !isnan(x) && !isinf(x); }
double ae_finite_or(double x, double alt) { return ae_isfinite(x) ? x : alt; }
double ae_sanitize(double x, double lim) { return isnan(x) ? 0.0 : isinf(x) ? (x > 0.0 ? lim : -lim) : x; }

// ---- filters: the slot's value and count live in the scalar buffer

double ae_ema(__global double* m, __global double* count, double beta, double x)
{
    if (*count == 0.0) { *m = x; *count = 1.0; return x; }
    *count += 1.0;
    double correction = ae_max(1.0 - pow(beta, *count), 1e-12);
    *m = beta * *m + (1.0 - beta) * x;
    return *m / correction;
}

double ae_lp(__global double* m, __global double* count, double beta, double x)
{
    if (*count == 0.0) { *m = x; *count = 1.0; return x; }
    *count += 1.0;
    *m = beta * *m + (1.0 - beta) * x;
    return *m;
}

double ae_prev(__global double* last, __global double* count, double x, double init)
{
    double result = *count == 0.0 ? init : *last;
    *last = x;
    *count = 1.0;
    return result;
}

double ae_latch(__global double* held, __global double* latched, int condition, double value, double before)
{
    if (*latched != 0.0) return *held;
    if (condition) { *latched = 1.0; *held = value; return value; }
    return before;
}

// ---- noise: AE.Dsl.Eval.CounterNoise in OpenCL C, operation for operation, so that a draw is the same
// double on every backend: a pure function of (seed, step, call site, element). Philox4x32-10 on the
// counter (block i >> 1, block >> 32 | site << 16, step, step >> 32) and key (seed, seed >> 32); then
// Box-Muller with both branches (even i cosine, odd i sine) from +, -, *, /, sqrt only (each correctly
// rounded in double; FP_CONTRACT is off above), exact conversions and integer reduction of the angle.

uint4 ae_philox4x32_10(uint4 c, uint k0, uint k1)
{
    for (int round = 0; round < 10; round++)
    {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        ulong p0 = (ulong)0xD2511F53u * c.x, p1 = (ulong)0xCD9E8D57u * c.z;
        c = (uint4)((uint)(p1 >> 32) ^ c.y ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c.w ^ k1, (uint)p0);
    }
    return c;
}

// -ln x for a positive normal x: x = 2^k m, m in [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f) (fdlibm's e_log.c, one formula).
double ae_minus_log(double x)
{
    long bits = as_long(x);
    long mant = bits & 0x000FFFFFFFFFFFFFL;
    long i = (mant + 0x95F619980C433L) >> 52;
    double xn = as_double(mant | ((0x3FFL - i) << 52));
    double dk = (double)((bits >> 52) - 0x3FFL + i);
    double f = xn - 1.0;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * (0x1.999999997fa04p-2 + w * (0x1.c71c51d8e78afp-3 + w * 0x1.39a09d078c69fp-3));
    double t2 = z * (0x1.5555555555593p-1 + w * (0x1.2492494229359p-2 + w * (0x1.7466496cb03dep-3 + w * 0x1.2f112df3e5244p-3)));
    double r = t2 + t1;
    double hfsq = 0.5 * f * f;
    return ((hfsq - (s * (hfsq + r) + dk * 0x1.a39ef35793c76p-33)) - f) - dk * 0x1.62e42fee00000p-1;
}

// sin(x + y) and cos(x + y) for |x| <= pi/4, y a tail of x (fdlibm's k_sin.c and k_cos.c)
double ae_sin_kernel(double x, double y)
{
    double z = x * x;
    double v = z * x;
    double r = 0x1.111111110f8a6p-7 + z * (-0x1.a01a019c161d5p-13 + z * (0x1.71de357b1fe7dp-19 + z * (-0x1.ae5e68a2b9cebp-26 + z * 0x1.5d93a5acfd57cp-33)));
    return x - ((z * (0.5 * y - v * r) - y) - v * -0x1.5555555555549p-3);
}

double ae_cos_kernel(double x, double y)
{
    double z = x * x;
    double w = z * z;
    double r = z * (0x1.555555555554cp-5 + z * (-0x1.6c16c16c15177p-10 + z * 0x1.a01a019cb1590p-16))
        + w * w * (-0x1.27e4f809c52adp-22 + z * (0x1.1ee9ebdb4b1c4p-29 + z * -0x1.8fae9be8838d4p-37));
    double hz = 0.5 * z;
    w = 1.0 - hz;
    return w + (((1.0 - w) - hz) + (z * r - x * y));
}

// cos(2 pi v / 2^53) (sine == 0) or sin(...) (sine == 1), v < 2^53: q quarter turns found exactly with integer
// operations, the rest theta = (pi/2) r 2^-51 in [-pi/4, pi/4) as a double-double hi + lo (pi/2 = P1 + P2, P1 of 27 bits).
double ae_turn_trig(ulong v, int sine)
{
    ulong t = v + (1UL << 50);
    int q = (int)(t >> 51) + (sine ? 3 : 0);
    long r = (long)(t & ((1UL << 51) - 1UL)) - (1L << 50);
    long rh = r & ~((1L << 25) - 1L);
    double dh = (double)rh, dl = (double)(r - rh);
    double a = dh * 0x1.921fb54000000p-51, b = dl * 0x1.921fb54000000p-51;
    double c = (dh + dl) * 0x1.10b4611a62633p-81;
    double s = a + b;
    double l = (b - (s - a)) + c;
    double hi = s + l;
    double lo = l - (hi - s);
    double k = (q & 1) == 0 ? ae_cos_kernel(hi, lo) : ae_sin_kernel(hi, lo);
    return ((q + 1) & 2) == 0 ? k : -k;
}

// Draw index of call site site (1..65535) at step step; index < 2^48.
double ae_gauss(ulong seed, ulong step, uint site, ulong index)
{
    ulong b = index >> 1;
    uint4 r = ae_philox4x32_10((uint4)((uint)b, (uint)(b >> 32) | (site << 16), (uint)step, (uint)(step >> 32)), (uint)seed, (uint)(seed >> 32));
    ulong a = ((ulong)r.y << 32) | r.x;
    ulong c = ((ulong)r.w << 32) | r.z;
    double u1 = (double)((a >> 11) + 1UL) * 0x1p-53;
    return sqrt(2.0 * ae_minus_log(u1)) * ae_turn_trig(c >> 11, (int)(index & 1UL));
}
";
    }
}
