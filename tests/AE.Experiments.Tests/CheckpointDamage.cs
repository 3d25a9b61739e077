using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace AE.Experiments.Tests
{
    /// <summary>Copies of a checkpoint with one bit flipped, at places spread over everything after its mark and version.</summary>
    internal static class CheckpointDamage
    {
        /// <returns>the offset of each flipped byte and the damaged copy</returns>
        public static IEnumerable<(int At, byte[] Bytes)> OneBitFlips(byte[] bytes, string magic, int places)
        {
            // The mark is a length-prefixed string (one length byte here), then the Int32 version.
            int header = Encoding.UTF8.GetByteCount(magic) + 1 + 4;
            for (int k = 0; k < places; k++)
            {
                int at = header + (int)((long)k * (bytes.Length - header - 1) / (places - 1));
                var flipped = bytes.ToArray();
                flipped[at] ^= (byte)(1 << (k % 8));
                yield return (at, flipped);
            }
        }
    }
}
