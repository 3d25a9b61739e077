using System.IO;
using System.Threading;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary>Ctrl-C: the first stops the command cleanly, a repeat within half a second is the same interrupt, a later one ends the process.</summary>
    public class InterruptsTests
    {
        [Fact]
        public void A_repeat_within_half_a_second_is_the_same_interrupt_and_a_later_one_ends_the_process()
        {
            long now = 1_000;
            using var source = new CancellationTokenSource();
            using var stderr = new StringWriter();
            var interrupts = new Interrupts(source, stderr, () => now);

            Assert.True(interrupts.Take());                 // the process goes on, the command is asked to stop
            Assert.True(source.IsCancellationRequested);
            now += Interrupts.RepeatMilliseconds - 1;       // 'timeout -s INT' sends it again at once
            Assert.True(interrupts.Take());
            Assert.Equal("", stderr.ToString());
            now += 1;                                       // half a second after the first: a second Ctrl-C
            Assert.False(interrupts.Take());
            Assert.Equal("ae: interrupted again; ending at once (what was not yet stored is lost)" + System.Environment.NewLine, stderr.ToString());
        }
    }
}
