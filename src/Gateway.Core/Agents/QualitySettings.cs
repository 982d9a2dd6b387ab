using System.Diagnostics.CodeAnalysis;
using Rollgate.Versions;

namespace Rollgate.Agents;

/// <summary>
/// The <c>quality</c> member of a definition: a judge model scores a sample of every version's successful answers from
/// 0 to 1, and the scores become the versions' <c>quality_score</c>.
/// </summary>
public sealed record QualitySettings
{
    public required JudgeSpec Judge { get; init; }

    /// <summary>The share of successful answers of every version that is judged, the same for all of them.</summary>
    public double SampleRate { get; init; } = 0.05;

    /// <summary>What the judge is told a good answer is; sent as its system message.</summary>
    public required string Rubric { get; init; }

    /// <summary>Judge calls stop for the rest of the day (UTC) once they cost this much on a replica.</summary>
    public double MaxDailyCostUsd { get; init; } = 5;
}

/// <summary>The judge: an OpenAI-compatible chat model, named like a version's model.</summary>
public sealed record JudgeSpec
{
    /// <summary>The base URL of an OpenAI-compatible API (such as <c>https://api.openai.com/v1</c>).</summary>
    public required string Endpoint { get; init; }

    public required string Model { get; init; }

    /// <summary>The environment variable holding the key; unset for a judge that needs none.</summary>
    [DisallowNull] public string? ApiKeyEnv { get; init; }

    [DisallowNull] public ModelPricing? Pricing { get; init; }
}
