using System.Text;
using Rollgate.Agents;
using Rollgate.Managed;
using Rollgate.Versions;

namespace Rollgate.Quality;

/// <summary>
/// An agent's <c>quality</c> settings as the data path reads them: whether to sample an answer (one random draw, no
/// allocation), and the judge to call, reached like a managed version's model (same client, a circuit per endpoint).
/// </summary>
public sealed class QualityPlan
{
    public QualityPlan(string agent, QualitySettings settings)
    {
        Agent = agent;
        SampleRate = settings.SampleRate;
        MaxDailyCostUsd = settings.MaxDailyCostUsd;
        Rubric = settings.Rubric;
        Judge = new ManagedModel(settings.Judge.Model, settings.Judge.Endpoint, settings.Judge.ApiKeyEnv, settings.Judge.Pricing ?? ModelPricing.Free);
    }

    public string Agent { get; }

    public double SampleRate { get; }

    public double MaxDailyCostUsd { get; }

    public string Rubric { get; }

    public ManagedModel Judge { get; }

    /// <summary>True for the share <see cref="SampleRate"/> of calls, whatever the version: every version is sampled alike.</summary>
    public bool Sample() => Random.Shared.NextDouble() < SampleRate;

    public static QualityPlan? Of(string agent, AgentDefinition definition)
        => definition.Quality is { } settings ? new QualityPlan(agent, settings) : null;
}
