using Rollgate.Configuration;

namespace Rollgate.Managed;

/// <summary>Checks every <see cref="ModelCircuitOptions"/> setting against what Polly's circuit breaker accepts.</summary>
public sealed class ModelCircuitOptionsValidator() : SettingsValidator<ModelCircuitOptions>(ModelCircuitOptions.SectionName)
{
    // Polly refuses sampling and break durations below half a second.
    private static readonly TimeSpan MinDuration = TimeSpan.FromMilliseconds(500);

    protected override void Check(ModelCircuitOptions options, SettingChecks checks)
    {
        if (!(options.FailureRatio > 0 && options.FailureRatio <= 1))
        {
            checks.Fail(nameof(ModelCircuitOptions.FailureRatio), $"must be above 0 and at most 1 (it is {options.FailureRatio})");
        }

        checks.AtLeast(nameof(ModelCircuitOptions.MinimumThroughput), options.MinimumThroughput, 2);
        checks.Within(nameof(ModelCircuitOptions.SamplingDuration), options.SamplingDuration, MinDuration);
        checks.Within(nameof(ModelCircuitOptions.BreakDuration), options.BreakDuration, MinDuration);
    }
}
