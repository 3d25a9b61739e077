namespace AE.Dsl.Emit.Ilgpu
{
    /// <summary>
    /// The helpers every kernels class holds: sign, and AE.Runtime.AeMath's filters, operation for operation, on a
    /// value and a count that live in the scalar buffer of doubles (AeMath keeps the count in a long; every
    /// count a law reaches is exact in a double, so the same numbers come out).
    /// </summary>
    internal static class IlgpuPrelude
    {
        public const string Text = @"// ---- AeMath.Sign without Math.Sign, which throws on NaN (ILGPU compiles no throw): the same values, -0 and NaN included

private static double ae_sign(double x) => double.IsNaN(x) ? double.NaN : x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0;

// ---- AE.Runtime.AeMath's filters on slots of the scalar buffer, operation for operation

private static double ae_ema(ref double m, ref double count, double beta, double x)
{
    if (count == 0.0) { m = x; count = 1.0; return x; }
    count += 1.0;
    double correction = __Math.Max(1.0 - __Math.Pow(beta, count), 1e-12);
    m = beta * m + (1.0 - beta) * x;
    return m / correction;
}

private static double ae_lp(ref double m, ref double count, double beta, double x)
{
    if (count == 0.0) { m = x; count = 1.0; return x; }
    count += 1.0;
    m = beta * m + (1.0 - beta) * x;
    return m;
}

private static double ae_prev(ref double last, ref double count, double x, double init)
{
    double result = count == 0.0 ? init : last;
    last = x;
    count = 1.0;
    return result;
}

private static double ae_latch(ref double held, ref double latched, bool condition, double value, double before)
{
    if (latched != 0.0) return held;
    if (condition) { latched = 1.0; held = value; return value; }
    return before;
}
";
    }
}
