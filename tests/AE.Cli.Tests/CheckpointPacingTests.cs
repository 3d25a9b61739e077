using Xunit;

namespace AE.Cli.Tests
{
    public class CheckpointPacingTests
    {
        /// <summary>A checkpoint that took 1 s to write allows the next 10 s after the first began (a tenth of the time), not sooner.</summary>
        [Fact]
        public void Periodic_checkpoints_take_at_most_a_tenth_of_the_time()
        {
            double now = 100;
            var pacing = new CheckpointPacing(() => now);
            int written = 0;
            void Write() { written++; now += 1; }   // each write takes a second

            Assert.True(pacing.Periodic(Write));    // the first is always written: 100 .. 101
            now = 105;
            Assert.False(pacing.Periodic(Write));   // 5 s after the last began: skipped, and nothing was written
            Assert.Equal(1, written);
            now = 109.999;
            Assert.False(pacing.Periodic(Write));
            now = 110;
            Assert.True(pacing.Periodic(Write));    // 110 .. 111: the next at 120
            Assert.Equal(2, written);
            now = 119;
            Assert.False(pacing.Periodic(Write));
            now = 120;
            Assert.True(pacing.Periodic(Write));
            Assert.Equal(3, written);
        }

        [Fact]
        public void Checkpoints_that_cost_nothing_are_all_written()
        {
            double now = 0;
            var pacing = new CheckpointPacing(() => now);
            int written = 0;
            for (int i = 0; i < 5; i++) Assert.True(pacing.Periodic(() => written++));
            Assert.Equal(5, written);
        }
    }
}
