using System.Buffers;
using System.Text.RegularExpressions;
using Rollgate.Json;
using Rollgate.Rules;
using Rollgate.Validation;

namespace Rollgate.Agents;

/// <summary>Collects every problem in a definition instead of stopping at the first, like YARP's config validators.</summary>
public static partial class AgentDefinitionValidator
{
    /// <summary>Figures are kept per second, so a shorter window holds no requests or one second's at best.</summary>
    private static readonly TimeSpan MinWindow = TimeSpan.FromSeconds(1);

    private static readonly string[] ReservedPrefixes = ["/admin", "/metrics", "/healthz", "/readyz", "/tools"];

    /// <summary>The characters of an HTTP token (RFC 9110), which header and cookie names are made of.</summary>
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <param name="definition">The definition to check.</param>
    /// <param name="figureRetention">How long the figure store keeps figures: no rule can read a window reaching further back.</param>
    public static ValidationErrors Validate(AgentDefinition definition, TimeSpan figureRetention)
    {
        var errors = new ValidationErrors();
        if (definition.PathPrefix is { } prefix && PathPrefixProblem(prefix) is { } problem)
        {
            errors.Add("pathPrefix", problem);
        }

        for (var i = 0; i < definition.Hosts.Count; i++)
        {
            var host = definition.Hosts[i];
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host.Split(':')[0].Replace("*.", "x.", StringComparison.Ordinal)) == UriHostNameType.Unknown)
            {
                errors.Add($"hosts[{i}]", $"'{host}' is not a host name");
            }
        }

        ValidateStickyBy(definition.StickyBy, errors);
        if (definition.Mode is not (AgentModes.Passthrough or AgentModes.OpenAi))
        {
            errors.Add("mode", "must be 'passthrough' or 'openai'");
        }

        if (definition.BakeTime < MinWindow)
        {
            errors.Add("bakeTime", $"must be at least {Duration.Format(MinWindow)}");
        }

        ValidateRules(definition, figureRetention, errors);
        ValidateRollout(definition.Rollout, "rollout", errors);
        for (var i = 0; i < definition.Webhooks.Count; i++)
        {
            if (HttpUrl.Problem(definition.Webhooks[i]) is { } urlProblem)
            {
                errors.Add($"webhooks[{i}]", urlProblem);
            }
        }

        for (var i = 0; i < definition.Degradation.Count; i++)
        {
            var d = definition.Degradation[i];
            if (string.IsNullOrWhiteSpace(d.Tool)) errors.Add($"degradation[{i}].tool", "is required");
            if (d.RouteTo < 1) errors.Add($"degradation[{i}].routeTo", "must be a version number (1 or more)");
        }

        if (definition.Drill is { } drill)
        {
            ValidateDrill(drill, errors);
        }

        if (definition.Quality is { } quality)
        {
            ValidateQuality(quality, errors);
        }

        return errors;
    }

    private static void ValidateQuality(QualitySettings quality, ValidationErrors errors)
    {
        if (HttpUrl.Problem(quality.Judge.Endpoint) is { } endpointProblem)
        {
            errors.Add("quality.judge.endpoint", endpointProblem);
        }
        else if (HttpUrl.HasUserInfo(quality.Judge.Endpoint))
        {
            errors.Add("quality.judge.endpoint", "must not carry credentials: name the key's environment variable in apiKeyEnv");
        }

        if (string.IsNullOrWhiteSpace(quality.Judge.Model))
        {
            errors.Add("quality.judge.model", "must name the judge's model");
        }

        if (quality.Judge.ApiKeyEnv is { } env && !EnvName().IsMatch(env))
        {
            errors.Add("quality.judge.apiKeyEnv", "must be the name of an environment variable (A-Z, 0-9, _)");
        }

        if (quality.Judge.Pricing is { } pricing)
        {
            if (!(pricing.InputPerMTok is >= 0 and <= 1_000_000)) errors.Add("quality.judge.pricing.inputPerMTok", "must be a number from 0 to 1000000");
            if (!(pricing.OutputPerMTok is >= 0 and <= 1_000_000)) errors.Add("quality.judge.pricing.outputPerMTok", "must be a number from 0 to 1000000");
        }

        if (!(quality.SampleRate is > 0 and <= 1))
        {
            errors.Add("quality.sampleRate", "must be above 0 and at most 1 (the share of answers judged, such as 0.05)");
        }

        if (string.IsNullOrWhiteSpace(quality.Rubric))
        {
            errors.Add("quality.rubric", "must tell the judge what a good answer is");
        }
        else if (quality.Rubric.Length > MaxRubricChars)
        {
            errors.Add("quality.rubric", $"must be at most {MaxRubricChars} characters");
        }

        if (!(quality.MaxDailyCostUsd is > 0 and <= 1_000_000))
        {
            errors.Add("quality.maxDailyCostUsd", "must be above 0 and at most 1000000 (USD per day)");
        }
    }

    private const int MaxRubricChars = 8000;

    [GeneratedRegex("^[A-Z_][A-Z0-9_]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();

    private static void ValidateDrill(DrillSettings drill, ValidationErrors errors)
    {
        if (drill.Every is { } every && every <= TimeSpan.Zero)
        {
            errors.Add("drill.every", "must be a positive duration, such as 30d or 12h");
        }

        if (drill.ProbePath is { } path && (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Any(c => char.IsControl(c) || c is ' ' or '#')))
        {
            errors.Add("drill.probePath", "must be a path starting with '/' (such as /healthz), without spaces, control characters or '#'");
        }
    }

    /// <param name="plan">The plan to check.</param>
    /// <param name="path">Where the plan is in the body: <c>rollout</c> in a definition, empty for a deployment's own steps.</param>
    /// <param name="errors">Where problems are added.</param>
    public static void ValidateRollout(RolloutPlan plan, string path, ValidationErrors errors)
    {
        var steps = JsonPath.Member(path, "steps");
        if (plan.Steps.Count == 0)
        {
            errors.Add(steps, "must name at least one step");
        }

        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            if (!(step > 0 && step <= 100))
            {
                errors.Add(JsonPath.Index(steps, i), "must be a percentage above 0 and at most 100");
            }
            else if (i > 0 && step <= plan.Steps[i - 1])
            {
                errors.Add(JsonPath.Index(steps, i), "steps must increase");
            }
        }

        if (plan.StepDuration <= TimeSpan.Zero)
        {
            errors.Add(JsonPath.Member(path, "stepDuration"), "must be positive");
        }

        if (plan.Gate is { } gate)
        {
            var gatePath = JsonPath.Member(path, "gate");
            if (!Evals.EvalSuiteValidator.IsValidName(gate.Suite))
            {
                errors.Add(JsonPath.Member(gatePath, "suite"), "is required: the name of one of the agent's eval suites");
            }

            if (gate.MinPassRate is not (>= 0 and <= 1))
            {
                errors.Add(JsonPath.Member(gatePath, "minPassRate"), "is required: a number from 0 to 1");
            }
        }
    }

    /// <summary>
    /// A prefix is matched against the decoded request path, so it must be written the way it is matched: no encoding,
    /// no dot segments, nothing a client could not send, and nothing under the gateway's own paths.
    /// </summary>
    private static string? PathPrefixProblem(string prefix)
    {
        if (!prefix.StartsWith('/') || prefix.Length < 2 || prefix.EndsWith('/') || prefix.Contains("//", StringComparison.Ordinal))
        {
            return "must start with '/', not end with '/', and have no empty segment";
        }

        if (prefix.Any(char.IsControl))
        {
            return "must not contain control characters";
        }

        if (prefix.IndexOfAny(['{', '}', '?', '#', '*', ' ']) >= 0)
        {
            return "must contain no route syntax or spaces ({ } * ? # ' ')";
        }

        if (prefix.IndexOfAny(['%', '\\']) >= 0)
        {
            return "must not contain '%' or '\\': write the path as it is matched, unencoded";
        }

        if (prefix.Split('/').Any(segment => segment is "." or ".."))
        {
            return "must not contain '.' or '..' segments";
        }

        return ReservedPrefixes.Any(r => prefix.Equals(r, StringComparison.OrdinalIgnoreCase) || prefix.StartsWith(r + "/", StringComparison.OrdinalIgnoreCase))
            ? $"'{prefix}' is reserved by the gateway"
            : null;
    }

    private static void ValidateStickyBy(StickyBy sticky, ValidationErrors errors)
    {
        var stickyCount = (sticky.Header is null ? 0 : 1) + (sticky.Cookie is null ? 0 : 1) + (sticky.Query is null ? 0 : 1);
        if (stickyCount != 1)
        {
            errors.Add("stickyBy", "name exactly one of header, cookie or query");
        }
        else if (string.IsNullOrWhiteSpace(sticky.Header ?? sticky.Cookie ?? sticky.Query))
        {
            errors.Add("stickyBy", "the name must not be empty");
        }
        else if (sticky.Header is { } header && header.AsSpan().ContainsAnyExcept(TokenChars))
        {
            errors.Add("stickyBy.header", "must be a valid header name: letters, digits and !#$%&'*+-.^_`|~");
        }
        else if (sticky.Cookie is { } cookie && cookie.AsSpan().ContainsAnyExcept(TokenChars))
        {
            errors.Add("stickyBy.cookie", "must be a valid cookie name: letters, digits and !#$%&'*+-.^_`|~");
        }
    }

    /// <summary>
    /// Rules must parse, and read only figures the gateway still has: the window (<c>over</c>) ends now, and during a bake
    /// a relative rule's baseline is the previous stable's window ending at the switch, up to <c>bakeTime</c> ago.
    /// </summary>
    private static void ValidateRules(AgentDefinition definition, TimeSpan figureRetention, ValidationErrors errors)
    {
        var retention = Duration.Format(figureRetention);
        for (var i = 0; i < definition.Rules.Count; i++)
        {
            var parsed = RuleParser.Parse(definition.Rules[i]);
            if (!parsed.Succeeded)
            {
                errors.Add($"rules[{i}]", parsed.Error.Message);
                continue;
            }

            var rule = parsed.Rule;
            var over = Duration.Format(rule.Over);
            if (rule.Over < MinWindow)
            {
                errors.Add($"rules[{i}]", $"rule '{rule.Text}': the window (over {over}) must be at least {Duration.Format(MinWindow)}");
            }
            else if (rule.Over > figureRetention)
            {
                errors.Add($"rules[{i}]", $"rule '{rule.Text}': the window (over {over}) must be at most {retention}, as long as the gateway keeps figures");
            }
            else if (rule.AgainstPrevious is { } previous)
            {
                if (rule.Over + previous > figureRetention)
                {
                    errors.Add($"rules[{i}]", $"rule '{rule.Text}': the window (over {over}) and the earlier one it is compared with (previous {Duration.Format(previous)}) "
                        + $"reach back {Duration.Format(rule.Over + previous)}, but the gateway keeps figures {retention} (Rollgate:Figures:MinuteRetention)");
                }
            }
            else if (rule.IsRelative && definition.BakeTime >= MinWindow && rule.Over + definition.BakeTime > figureRetention)
            {
                errors.Add("bakeTime", $"{Duration.Format(definition.BakeTime)} is too long for rule '{rule.Text}': a baking stable is compared with "
                    + $"the previous stable's figures from before the switch, which are kept {retention}, so bakeTime plus the rule's window ({over}) must be at most {retention}");
            }
        }
    }
}
