using Rollgate.Agents;
using Rollgate.Quality;

namespace Rollgate.Tests.Quality;

/// <summary>Quality plans for tests that never call their judge (its endpoint is a closed port).</summary>
internal static class TestQualityPlans
{
    public static QualityPlan Of(string agent, double sampleRate = 0.05, double maxDailyCostUsd = 5) => new(agent, new QualitySettings
    {
        Judge = new JudgeSpec { Endpoint = "http://127.0.0.1:9/v1", Model = "judge" },
        Rubric = "Be correct.",
        SampleRate = sampleRate,
        MaxDailyCostUsd = maxDailyCostUsd,
    });
}
