using System;
using System.Globalization;

namespace AE.Engine
{
    /// <summary>Rates scaled by powers of ten, as a grid or a spread of members writes them.</summary>
    public static class DecimalScale
    {
        /// <summary>
        /// <paramref name="x"/> · 10^<paramref name="exponent"/>. A whole exponent shifts the decimal point of x as written
        /// (its shortest round-trip digits) and rounds once: 0.07 · 10 is 0.7, where the product of doubles is
        /// 0.7000000000000001, one ulp past a law's bound of 0.7 that the rate was meant to meet. Other exponents are the product.
        /// </summary>
        public static double Times10(double x, double exponent)
        {
            // A subnormal's shortest digits are few (5e-324): shifted into the normal range they would be far from the product.
            if (exponent != Math.Floor(exponent) || Math.Abs(exponent) > 600 || !double.IsNormal(x))
                return x * Math.Pow(10, exponent);
            string digits = x.ToString("R", CultureInfo.InvariantCulture);
            int e = (int)exponent, at = digits.IndexOfAny(new[] { 'E', 'e' });
            if (at >= 0)
            {
                e += int.Parse(digits.Substring(at + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                digits = digits.Substring(0, at);
            }
            return double.Parse(digits + "e" + e.ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
    }
}
