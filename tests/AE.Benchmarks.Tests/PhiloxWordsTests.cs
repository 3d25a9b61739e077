using AE.Runtime;
using Xunit;

namespace AE.Benchmarks.Tests
{
    /// <summary>
    /// The benchmark's floor for noise (<see cref="PhiloxWords"/>) computes the words the draws use: each block's a = r1:r0 and
    /// c = r3:r2 equal <see cref="CounterNoise.Philox4x32_10"/>'s, so its time is that of the real integer half, not of a shortcut.
    /// </summary>
    public class PhiloxWordsTests
    {
        [Theory]
        [InlineData(42UL, 7UL, 3, 0UL)]
        [InlineData(0xDEADBEEFCAFEF00DUL, 0x1_0000_0005UL, 65535, 0x7FFF_FFFF_FFF0UL)]
        public void The_words_are_Philox4x32_10s(ulong seed, ulong step, int site, ulong block0)
        {
            var words = new ulong[256];
            PhiloxWords.Fill(seed, step, site, block0, words);
            for (int k = 0; k < words.Length / 2; k++)
            {
                ulong b = block0 + (ulong)k;
                CounterNoise.Philox4x32_10((uint)b, (uint)(b >> 32) | ((uint)site << 16), (uint)step, (uint)(step >> 32), (uint)seed, (uint)(seed >> 32),
                    out uint r0, out uint r1, out uint r2, out uint r3);
                int g = k / 8 * 16, lane = k % 8;
                Assert.Equal(((ulong)r1 << 32) | r0, words[g + lane]);
                Assert.Equal(((ulong)r3 << 32) | r2, words[g + 8 + lane]);
            }
        }
    }
}
