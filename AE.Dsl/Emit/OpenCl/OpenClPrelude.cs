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
// Math.Sign throws on NaN; a kernel cannot, so NaN gives 0 here.
double ae_sign(double x) { return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0; }
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

// ---- noise: counter-based, so a draw is a pure function of (seed, step, call site, element)
// and work items need no shared generator state. These are not the CPU's xoshiro256** draws:
// the same seed gives a different (equally standard normal) sequence than the C# backend.

ulong ae_mix(ulong z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

// Uniform in (0, 1]: never 0, so the logarithm is finite.
double ae_uniform(ulong bits) { return (double)((bits >> 11) + 1UL) * (1.0 / 9007199254740992.0); }

double ae_gauss(ulong seed, double step, int site, long index)
{
    const ulong golden = 0x9E3779B97F4A7C15UL;
    ulong key = ae_mix(seed + golden * (ulong)step);
    key = ae_mix(key + golden * (ulong)(site + 1));
    double u1 = ae_uniform(ae_mix(key + golden * (2UL * (ulong)index + 1UL)));
    double u2 = ae_uniform(ae_mix(key + golden * (2UL * (ulong)index + 2UL)));
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
";
    }
}
