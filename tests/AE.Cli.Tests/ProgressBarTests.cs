using System;
using System.IO;
using Xunit;

namespace AE.Cli.Tests
{
    public class ProgressBarTests
    {
        [Fact]
        public void A_disabled_bar_writes_nothing()
        {
            using var stderr = new StringWriter();
            using (var bar = new ProgressBar(stderr, enabled: false, "run"))
            {
                bar.Report(5, 10, "loss 1");
                Assert.False(bar.Enabled);
            }

            Assert.Equal("", stderr.ToString());
        }

        [Fact]
        public void An_enabled_bar_shows_the_label_and_counts_and_is_erased_once()
        {
            using var stderr = new StringWriter();
            var bar = new ProgressBar(stderr, enabled: true, "AeSgdm on quadratic");
            Assert.True(bar.Enabled);
            bar.Report(3, 4, "loss 0.5");
            bar.Report(4, 4, "loss [0.25]");
            bar.Dispose();
            bar.Dispose();

            string text = stderr.ToString();
            Assert.Contains("AeSgdm on quadratic  loss [0.25]", text, StringComparison.Ordinal);
            // the count is drawn from the task with the bar, so a frame's count and percentage agree
            Assert.Matches(@"4/4 .*100%", text);
        }

        /// <summary>A line written while a bar is drawn goes through the bar's console (above it), and straight to stderr otherwise.</summary>
        [Fact]
        public void A_line_written_while_a_bar_is_drawn_reaches_stderr_either_way()
        {
            using var stderr = new StringWriter();
            var bar = new ProgressBar(stderr, enabled: true, "run");
            bar.Report(1, 2, "");
            ProgressBar.WriteLine(stderr, "ae: waiting for runs.db");
            bar.Dispose();
            ProgressBar.WriteLine(stderr, "after the bar");
            string text = stderr.ToString();
            Assert.Contains("ae: waiting for runs.db", text, StringComparison.Ordinal);
            Assert.EndsWith("after the bar" + Environment.NewLine, text, StringComparison.Ordinal);
        }
    }
}
