using Rollgate.Release;

namespace Rollgate.Tests.Release;

public sealed class FiredRulesTests
{
    [Fact]
    public void Marks_add_up_on_one_subject_once_each_and_a_new_subject_starts_afresh()
    {
        var first = FiredRules.Add(null, "Canary:2:a", "alert when error_rate > 5%");
        var second = FiredRules.Add(first, "Canary:2:a", "pause when p99_latency > 4s");
        var again = FiredRules.Add(second, "Canary:2:a", "alert when error_rate > 5%");
        var next = FiredRules.Add(again, "Baking:2:b", "pause when p99_latency > 4s");

        Assert.Equal(["alert when error_rate > 5%", "pause when p99_latency > 4s"], again.Rules);
        Assert.True(again.Contains("Canary:2:a", "pause when p99_latency > 4s"));
        Assert.False(again.Contains("Canary:3:a", "pause when p99_latency > 4s"));
        Assert.Equal(new FiredRules("Baking:2:b", ["pause when p99_latency > 4s"]).Rules, next.Rules);
        Assert.Equal("Baking:2:b", next.Subject);
        Assert.False(next.Contains("Canary:2:a", "alert when error_rate > 5%"));
    }
}
