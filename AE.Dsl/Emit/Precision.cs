namespace AE.Dsl.Emit
{
    /// <summary>The element type of the host's vectors a step runs over (the law's scalars are double either way).</summary>
    internal enum Precision
    {
        Float64,
        Float32,
    }
}
