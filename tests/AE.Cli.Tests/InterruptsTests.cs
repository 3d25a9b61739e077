using System.IO;
using System.Linq;
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
            var interrupts = new Interrupts(source, stderr, () => now) { Watched = true };

            Assert.True(interrupts.Take());                 // the process goes on, the command is asked to stop
            Assert.True(source.IsCancellationRequested);
            now += Interrupts.RepeatMilliseconds - 1;       // 'timeout -s INT' sends it again at once
            Assert.True(interrupts.Take());
            Assert.Equal("", stderr.ToString());
            now += 1;                                       // half a second after the first: a second Ctrl-C
            Assert.False(interrupts.Take());
            Assert.Equal("ae: interrupted again; ending at once (what was not yet stored is lost)" + System.Environment.NewLine, stderr.ToString());
        }

        /// <summary>
        /// A command that does not stop on an interrupt (check, emit, grad, replay) would never read the request: the first
        /// Ctrl-C or SIGTERM ends the process, as it ends any program ('timeout 10 ae grad ...' sends one SIGTERM).
        /// </summary>
        [Fact]
        public void A_command_that_does_not_stop_on_an_interrupt_ends_at_the_first()
        {
            using var source = new CancellationTokenSource();
            using var stderr = new StringWriter();
            var interrupts = new Interrupts(source, stderr);
            Assert.False(interrupts.Take());
            Assert.False(source.IsCancellationRequested);
            Assert.Equal("", stderr.ToString());
        }

        [Fact]
        public void The_commands_that_store_or_serve_stop_on_an_interrupt_and_the_others_do_not()
        {
            var stopping = CliApp.Commands.Where(c => c.StopsOnInterrupt).Select(c => c.Name).Order(System.StringComparer.Ordinal);
            Assert.Equal(new[] { "ablate", "bench", "experiment", "report", "run", "swarm", "sweep", "train", "worker" }, stopping);
        }
    }
}
