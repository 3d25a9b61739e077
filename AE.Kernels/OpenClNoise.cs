namespace AE.Kernels
{
    /// <summary>
    /// The device's noise() in C#: the prelude's <c>ae_gauss(seed, step, site, index)</c> is
    /// <see cref="AE.Dsl.Eval.CounterNoise.Gaussian"/>, the same counter-based draw (Philox4x32-10 and Box–Muller from
    /// correctly rounded operations only) as the interpreter and the C# backend, so a device draw equals this value bit
    /// for bit. A pure function of its arguments, so no work item waits for another.
    /// </summary>
    public static class OpenClNoise
    {
        /// <param name="seed">the law's seed</param>
        /// <param name="step">the step (1 for the first)</param>
        /// <param name="site">the call site's number (1-based, in program order)</param>
        /// <param name="index">the element (0 for a scalar noise())</param>
        public static double Gaussian(ulong seed, long step, int site, long index) =>
            AE.Dsl.Eval.CounterNoise.Gaussian(seed, unchecked((ulong)step), site, index);
    }
}
