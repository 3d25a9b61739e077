using System.Globalization;

namespace AE.Runtime
{
    /// <summary>
    /// How every command writes a number in text: inf, -inf and nan for the values that are not finite, and a finite one
    /// in <c>format</c> with a lower-case exponent (<c>1e-08</c>, not .NET's <c>1E-08</c>).
    /// </summary>
    public static class NumberText
    {
        /// <param name="value">the number</param>
        /// <param name="format">the .NET format of a finite value: "R" (round trip) unless the place shows fewer digits</param>
        public static string Of(double value, string format = "R") =>
            double.IsNaN(value) ? "nan"
            : double.IsPositiveInfinity(value) ? "inf"
            : double.IsNegativeInfinity(value) ? "-inf"
            : value.ToString(format, CultureInfo.InvariantCulture).Replace('E', 'e');
    }
}
