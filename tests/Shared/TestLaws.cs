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
    }
}
