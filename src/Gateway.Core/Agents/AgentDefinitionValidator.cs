using Rollgate.Validation;

namespace Rollgate.Agents;

/// <summary>Collects every problem in a definition instead of stopping at the first, like YARP's config validators.</summary>
public static class AgentDefinitionValidator
{
    private static readonly string[] ReservedPrefixes = ["/admin", "/metrics", "/healthz", "/readyz", "/tools"];

    public static ValidationErrors Validate(AgentDefinition definition, Func<string, string?>? ruleCheck = null)
    {
        var errors = new ValidationErrors();
        if (definition.PathPrefix is { } prefix)
        {
            if (!prefix.StartsWith('/') || prefix.Length < 2 || prefix.EndsWith('/') || prefix.Contains("//", StringComparison.Ordinal)
                || prefix.IndexOfAny(['{', '}', '?', '#', '*', ' ']) >= 0)
            {
                errors.Add("pathPrefix", "must start with '/', not end with '/', and contain no route syntax ({ } * ? #)");
            }
            else if (ReservedPrefixes.Any(r => prefix.Equals(r, StringComparison.OrdinalIgnoreCase) || prefix.StartsWith(r + "/", StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add("pathPrefix", $"'{prefix}' is reserved by the gateway");
            }
        }

        for (var i = 0; i < definition.Hosts.Count; i++)
        {
            var host = definition.Hosts[i];
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host.Split(':')[0].Replace("*.", "x.", StringComparison.Ordinal)) == UriHostNameType.Unknown)
            {
                errors.Add($"hosts[{i}]", $"'{host}' is not a host name");
            }
        }

        var sticky = definition.StickyBy;
        var stickyCount = (sticky.Header is null ? 0 : 1) + (sticky.Cookie is null ? 0 : 1) + (sticky.Query is null ? 0 : 1);
        if (stickyCount != 1)
        {
            errors.Add("stickyBy", "name exactly one of header, cookie or query");
        }
        else if (string.IsNullOrWhiteSpace(sticky.Header ?? sticky.Cookie ?? sticky.Query))
        {
            errors.Add("stickyBy", "the name must not be empty");
        }

        if (definition.Mode is not (AgentModes.Passthrough or AgentModes.OpenAi))
        {
            errors.Add("mode", "must be 'passthrough' or 'openai'");
        }

        for (var i = 0; i < definition.Rules.Count; i++)
        {
            if (ruleCheck?.Invoke(definition.Rules[i]) is { } problem)
            {
                errors.Add($"rules[{i}]", problem);
            }
        }

        ValidateRollout(definition.Rollout, "rollout", errors);
        if (definition.BakeTime < TimeSpan.Zero)
        {
            errors.Add("bakeTime", "must not be negative");
        }

        for (var i = 0; i < definition.Webhooks.Count; i++)
        {
            if (!HttpUrl.IsAbsoluteHttp(definition.Webhooks[i]))
            {
                errors.Add($"webhooks[{i}]", "must be an absolute http or https URL");
            }
        }

        for (var i = 0; i < definition.Degradation.Count; i++)
        {
            var d = definition.Degradation[i];
            if (string.IsNullOrWhiteSpace(d.Tool)) errors.Add($"degradation[{i}].tool", "is required");
            if (d.RouteTo < 1) errors.Add($"degradation[{i}].routeTo", "must be a version number (1 or more)");
        }

        return errors;
    }

    public static void ValidateRollout(RolloutPlan plan, string path, ValidationErrors errors)
    {
        if (plan.Steps.Count == 0)
        {
            errors.Add($"{path}.steps", "must name at least one step");
        }

        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            if (!(step > 0 && step <= 100))
            {
                errors.Add($"{path}.steps[{i}]", "must be a percentage above 0 and at most 100");
            }
            else if (i > 0 && step <= plan.Steps[i - 1])
            {
                errors.Add($"{path}.steps[{i}]", "steps must increase");
            }
        }

        if (plan.StepDuration <= TimeSpan.Zero)
        {
            errors.Add($"{path}.stepDuration", "must be positive");
        }
    }
}
