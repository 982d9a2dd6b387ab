using Rollgate.Json;
using Rollgate.Validation;

namespace Rollgate.Tools;

/// <summary>Every problem of a tool definition at once, with the limits Polly itself puts on its options.</summary>
public static class ToolDefinitionValidator
{
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MinBreakerWindow = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public static ValidationErrors Validate(ToolDefinition definition)
    {
        var errors = new ValidationErrors();
        if (HttpUrl.Problem(definition.Endpoint) is { } problem)
        {
            errors.Add("endpoint", problem);
        }
        else if (HttpUrl.HasUserInfo(definition.Endpoint))
        {
            errors.Add("endpoint", "must not carry user information (user:password@): it would be stored and shown in clear");
        }
        else if (new Uri(definition.Endpoint).Query.Length > 0)
        {
            errors.Add("endpoint", "must not have a query string: the caller's query is forwarded as it is");
        }

        if (definition.ProbePath.Length > 0 && (!definition.ProbePath.StartsWith('/') || definition.ProbePath.IndexOfAny(['?', '#', ' ']) >= 0
                                                || definition.ProbePath.Any(char.IsControl)))
        {
            errors.Add("probePath", "must be empty or a path starting with '/', without query, fragment, spaces or control characters");
        }

        Range(errors, "timeout", definition.Timeout, MinTimeout);
        var breaker = definition.Breaker;
        if (!(breaker.FailureRatio > 0 && breaker.FailureRatio <= 1))
        {
            errors.Add("breaker.failureRatio", "must be above 0 and at most 1");
        }

        if (breaker.MinimumThroughput < 2)
        {
            errors.Add("breaker.minimumThroughput", "must be at least 2");
        }

        Range(errors, "breaker.samplingDuration", breaker.SamplingDuration, MinBreakerWindow);
        Range(errors, "breaker.breakDuration", breaker.BreakDuration, MinBreakerWindow);
        return errors;
    }

    private static void Range(ValidationErrors errors, string field, TimeSpan value, TimeSpan min)
    {
        if (value < min || value > MaxDuration)
        {
            errors.Add(field, $"must be from {Duration.Format(min)} to {Duration.Format(MaxDuration)}");
        }
    }
}
