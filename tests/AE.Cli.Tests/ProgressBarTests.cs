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
            Assert.Contains("AeSgdm on quadratic 4/4  loss [0.25]", text, StringComparison.Ordinal);
            Assert.Contains("100%", text, StringComparison.Ordinal);
        }
    }
}
