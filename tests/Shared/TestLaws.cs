namespace AE.Tests.Shared
{
    /// <summary>Law texts that tests of more than one backend run (compiled into each test project that uses them).</summary>
    internal static class TestLaws
    {
        /// <summary>
        /// norm(m) in statements of one rule with m unchanged between them (computed once; m' written between changes
        /// nothing), and under another rule's switch (computed again); sum(grad * k) before and after the accumulator k grows (twice).
        /// </summary>
        internal const string RepeatedReduction = @"law Repeated ""the same reduction in several statements"" {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state m: real[n] = 0;
  signal a = 0, b = 0, c = 0, d = 0, e = 0;
  acc k: real = 1;
  rule measure {
    k += 1;
    a = norm(m) + sum(grad * k);
    b = 3 * norm(m);
    k += 3;
    c = sum(grad * k);
    m' = 0.9 * m + grad;
    d = norm(m) + norm(m');
  }
  rule again { e = norm(m); }
  update { theta' = theta - 0.01 * loss * m' / (1 + a * a + b * b + c * c + d * d + e * e); }
}";

        /// <summary>
        /// cosine of a vector with itself and with its negation. Over a vector of ones every sum is exact in any order, so
        /// every backend's quotient is n / (sqrt(n) sqrt(n)), which rounds past 1 for the lengths of <see cref="CosinePastOne"/>;
        /// the language holds cosine to [-1, 1], so the signals are exactly 1 and -1.
        /// </summary>
        internal const string HeldCosine = @"law HeldCosine ""cosine held to [-1, 1]"" {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  signal same = 0, opposite = 0;
  fixed rule measure {
    same = cosine(grad, grad);
    opposite = cosine(grad, -grad);
  }
  update { theta' = theta - 0.001 * grad; }
}";

        /// <summary>3, and the first length from <paramref name="from"/> on, whose quotient n / (sqrt(n) sqrt(n)) rounds past 1.</summary>
        internal static int[] CosinePastOne(int from) =>
            new[] { 3, System.Linq.Enumerable.First(System.Linq.Enumerable.Range(from, 100000), n => n / (System.Math.Sqrt(n) * System.Math.Sqrt(n)) > 1) };
    }
}
