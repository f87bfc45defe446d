using HorrorAlign.ML.Evaluation;

namespace HorrorAlign.ML.Tests.Evaluation;

public class WilsonTests
{
    [Theory]
    [InlineData(97, 100, 0.9155, 0.9897)]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(10, 10, 0.7225, 1.0)]
    [InlineData(388, 400, 0.9483, 0.9828)]
    [InlineData(1, 2, 0.0945, 0.9055)]
    public void MatchesTheFormula(int successes, int n, double low, double high)
    {
        var (l, h) = Wilson.Interval(successes, n);
        Assert.Equal(low, l, 4);
        Assert.Equal(high, h, 4);
    }

    [Fact]
    public void NothingMeasuredIsTheWholeRange_AndTheIntervalIsSymmetricInPassAndFail()
    {
        Assert.Equal((0.0, 1.0), Wilson.Interval(0, 0));
        Assert.Equal(1.0, Wilson.Interval(60, 60).High);
        Assert.Equal(0.0, Wilson.Interval(0, 60).Low);
        var (low, high) = Wilson.Interval(13, 40);
        var (mirrorLow, mirrorHigh) = Wilson.Interval(27, 40);
        Assert.Equal(low, 1 - mirrorHigh, 12);
        Assert.Equal(high, 1 - mirrorLow, 12);
        Assert.True(Wilson.Interval(13, 40, z: 2.576).Low < low);
    }

    [Fact]
    public void RejectsImpossibleCounts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval(11, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval(1, 2, z: 0));
    }
}
