namespace AE.Kernels
{
    /// <summary>
    /// The device's noise() in C#: draw <c>index</c> of call site <c>site</c> at step
    /// <c>step</c> is splitmix64-mixed from (seed, step, site, index) and made standard normal by
    /// Box–Muller (the cosine branch). The uniforms are the device's bit for bit; the normal value
    /// agrees within the device's log and cos accuracy. A pure function, so no work item waits for another; not the
    /// CPU backend's xoshiro256** stream, whose draws depend on every earlier draw.
    /// </summary>
    public static class OpenClNoise
    {
        private const ulong Golden = 0x9E3779B97F4A7C15UL;

        private static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        private static double Uniform(ulong bits) => ((bits >> 11) + 1UL) * (1.0 / 9007199254740992.0);

        /// <param name="site">the call site's number (1-based, in program order)</param>
        /// <param name="index">the element (0 for a scalar noise())</param>
        public static double Gaussian(ulong seed, long step, int site, long index)
        {
            ulong key = Mix(seed + Golden * (ulong)step);
            key = Mix(key + Golden * (ulong)(site + 1));
            double u1 = Uniform(Mix(key + Golden * (2UL * (ulong)index + 1UL)));
            double u2 = Uniform(Mix(key + Golden * (2UL * (ulong)index + 2UL)));
            return System.Math.Sqrt(-2.0 * System.Math.Log(u1)) * System.Math.Cos(6.283185307179586 * u2);
        }
    }
}
