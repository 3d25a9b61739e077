using System;
using AE.Engine;
using Xunit;

namespace AE.Engine.Tests
{
    public class StatisticsTests
    {
        [Fact]
        public void Statistics_use_student_t()
        {
            Assert.Equal(12.7062, Statistics.TQuantile975(1));
            Assert.Equal(2.0423, Statistics.TQuantile975(30));
            Assert.Equal(2.0211, Statistics.TQuantile975(40), 3);
            Assert.Equal(1.9840, Statistics.TQuantile975(100), 3);
            var m = MeanCi.Of(new[] { 1.0, 2.0, 3.0 });
            Assert.Equal(2, m.Mean);
            Assert.Equal(4.3027 * 1 / Math.Sqrt(3), m.Ci!.Value, 12);
            Assert.Null(MeanCi.Of(new[] { 5.0 }).Ci);
        }
    }
}
