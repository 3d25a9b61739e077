namespace AE.Runtime
{
    /// <summary>Which loops a generated step runs over its vectors.</summary>
    public enum StepKernel
    {
        /// <summary>SIMD (and threads for long vectors) from <see cref="Simd.AeSimd.AutoThreshold"/> elements on; the scalar loops below.</summary>
        Auto = 0,
        /// <summary>One element at a time, reductions summed in element order: the reference interpreter's bits.</summary>
        Scalar = 1,
        /// <summary>Always the SIMD loops: reductions summed per lane and per chunk, in a fixed order.</summary>
        Simd = 2,
    }
}
