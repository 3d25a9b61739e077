using System.Globalization;

namespace AE.Experiments
{
    /// <summary>Counts in words: "1 run", "2 runs", so that no message says "1 runs".</summary>
    public static class Plural
    {
        /// <summary><paramref name="n"/> and <paramref name="noun"/>, with an 's' unless <paramref name="n"/> is 1.</summary>
        public static string Count(long n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + Noun(n, noun);

        /// <summary><paramref name="noun"/>, with an 's' unless <paramref name="n"/> is 1.</summary>
        public static string Noun(long n, string noun) => n == 1 ? noun : noun + "s";
    }
}
