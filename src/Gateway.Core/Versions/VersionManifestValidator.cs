using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rollgate.Agents;
using Rollgate.Json;
using Rollgate.Validation;

namespace Rollgate.Versions;

/// <summary>
/// Checks a version: the components the gateway reads have a fixed set of fields, each checked; guardrails, knowledge
/// and tool parameters are the agent's business and only have to be storable.
/// </summary>
public static partial class VersionManifestValidator
{
    private static readonly string[] SecretNames = ["apikey", "api_key", "secret", "password", "token", "authorization"];

    public static void ValidateManifest(VersionManifest manifest, ValidationErrors errors)
    {
        if (manifest.BasedOn is < 1)
        {
            errors.Add("basedOn", "must be a version number (1 or more)");
        }

        if (manifest.Notes is { Length: > 4096 })
        {
            errors.Add("notes", "must be at most 4096 characters");
        }
    }

    /// <summary>
    /// Validates the composed content (after <c>basedOn</c> was applied). The components the gateway reads are read into
    /// their types (<see cref="PromptSpec"/>, <see cref="ModelSpec"/>, <see cref="ToolSpec"/>, <see cref="BackendSpec"/>),
    /// so a misspelt field is refused instead of silently ignored; <c>guardrails</c> and <c>knowledge</c> are free-form objects.
    /// The agent's <paramref name="mode"/> decides what is required: a passthrough agent needs a backend, a managed
    /// (<c>openai</c>) agent a model to call (<c>model.endpoint</c> and <c>model.name</c>) and guardrails the gateway can apply.
    /// </summary>
    public static void ValidateContent(AgentVersion version, string mode, ValidationErrors errors)
    {
        var requireBackend = mode == AgentModes.Passthrough;
        var managed = mode == AgentModes.OpenAi;
        foreach (var component in VersionComponents.All)
        {
            if (version.Component(component) is not { } value)
            {
                continue;
            }

            switch (component)
            {
                case VersionComponents.Prompt:
                    OperatorInput.Read<PromptSpec>(value, component, errors);
                    break;
                case VersionComponents.Model when OperatorInput.Read<ModelSpec>(value, component, errors) is { } model:
                    ValidateModel(model, component, errors);
                    if (managed)
                    {
                        RequireModel(model, errors);
                    }

                    break;
                case VersionComponents.Tools when OperatorInput.Read<IReadOnlyList<ToolSpec>>(value, component, errors) is { } tools:
                    ValidateTools(tools, errors);
                    break;
                case VersionComponents.Backend when OperatorInput.Read<BackendSpec>(value, component, errors) is { } backend:
                    ValidateBackend(backend, requireBackend, errors);
                    break;
                case VersionComponents.Guardrails or VersionComponents.Knowledge:
                    JsonShape.Check(value, typeof(JsonObject), RollgateJson.Strict, component, errors);
                    if (managed && component == VersionComponents.Guardrails)
                    {
                        GuardrailRules.Read(value, errors);
                    }

                    break;
            }

            FindSecrets(value, component, errors);
        }

        if (version.Model is null && managed)
        {
            errors.Add(VersionComponents.Model, "is required for an openai agent: {\"name\":\"…\",\"endpoint\":\"https://…/v1\"}");
        }

        if (version.Backend is null && requireBackend)
        {
            errors.Add(VersionComponents.Backend, "is required for a passthrough agent: {\"destinations\":[\"http://…\"]}");
        }
    }

    private static void ValidateModel(ModelSpec model, string path, ValidationErrors errors)
    {
        CheckRange(model.Temperature, 0, 2, $"{path}.temperature", errors);
        if (model.MaxTokens is < 1 or > 10_000_000)
        {
            errors.Add($"{path}.maxTokens", "must be an integer from 1 to 10000000");
        }

        CheckNotBlank(model.Name, $"{path}.name", errors);
        CheckNotBlank(model.Provider, $"{path}.provider", errors);
        CheckEndpoint(model.Endpoint, $"{path}.endpoint", errors);
        CheckKeyEnv(model.ApiKeyEnv, $"{path}.apiKeyEnv", errors);
        CheckPricing(model.Pricing, $"{path}.pricing", errors);
        for (var i = 0; i < model.Fallbacks?.Count; i++)
        {
            var fallback = model.Fallbacks[i];
            var at = $"{path}.fallbacks[{i}]";
            CheckNotBlank(fallback.Name, $"{at}.name", errors);
            CheckEndpoint(fallback.Endpoint, $"{at}.endpoint", errors);
            CheckKeyEnv(fallback.ApiKeyEnv, $"{at}.apiKeyEnv", errors);
            CheckPricing(fallback.Pricing, $"{at}.pricing", errors);
        }
    }

    /// <summary>A managed agent's gateway calls the model itself, so it must know which model and where.</summary>
    private static void RequireModel(ModelSpec model, ValidationErrors errors)
    {
        if (model.Name is null)
        {
            errors.Add("model.name", "is required for an openai agent: the model the gateway asks for");
        }

        if (model.Endpoint is null)
        {
            errors.Add("model.endpoint", "is required for an openai agent: the base URL of an OpenAI-compatible API, such as https://api.openai.com/v1");
        }
    }

    private static void ValidateTools(IReadOnlyList<ToolSpec> tools, ValidationErrors errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tools.Count; i++)
        {
            var name = tools[i].Name;
            if (name is null || !ToolName().IsMatch(name))
            {
                errors.Add($"tools[{i}].name", "is required: 1-64 letters, digits, '_' or '-'");
            }
            else if (!names.Add(name))
            {
                errors.Add($"tools[{i}].name", $"'{name}' appears twice");
            }
        }
    }

    private static void ValidateBackend(BackendSpec backend, bool requireBackend, ValidationErrors errors)
    {
        if (backend.Destinations is not { } destinations)
        {
            if (requireBackend)
            {
                errors.Add("backend.destinations", "is required for a passthrough agent");
            }
        }
        else if (destinations.Count == 0)
        {
            errors.Add("backend.destinations", "must name at least one destination");
        }

        for (var i = 0; i < backend.Destinations?.Count; i++)
        {
            CheckEndpoint(backend.Destinations[i], $"backend.destinations[{i}]", errors);
        }

        if (backend.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add("backend.timeout", "must be positive");
        }
    }

    /// <summary>Where a version sends traffic: an http(s) URL that carries no credentials, since a version is never secret.</summary>
    private static void CheckEndpoint(string? url, string path, ValidationErrors errors)
    {
        if (url is null)
        {
            return;
        }

        if (HttpUrl.Problem(url) is { } problem)
        {
            errors.Add(path, problem);
        }
        else if (HttpUrl.HasUserInfo(url))
        {
            errors.Add(path, "must not carry user info ('user:password@'): secrets are never stored in a version");
        }
    }

    private static void CheckKeyEnv(string? name, string path, ValidationErrors errors)
    {
        if (name is not null && !EnvName().IsMatch(name))
        {
            errors.Add(path, "must be the name of an environment variable (A-Z, 0-9, _)");
        }
    }

    private static void CheckPricing(ModelPricing? pricing, string path, ValidationErrors errors)
    {
        if (pricing is { } p)
        {
            CheckRange(p.InputPerMTok, 0, 1_000_000, $"{path}.inputPerMTok", errors);
            CheckRange(p.OutputPerMTok, 0, 1_000_000, $"{path}.outputPerMTok", errors);
        }
    }

    private static void CheckRange(double? value, double min, double max, string path, ValidationErrors errors)
    {
        if (value is { } v && !(v >= min && v <= max))
        {
            errors.Add(path, $"must be a number from {min} to {max}");
        }
    }

    private static void CheckNotBlank(string? value, string path, ValidationErrors errors)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            errors.Add(path, "must be a non-empty string");
        }
    }

    private static void FindSecrets(JsonElement element, string path, ValidationErrors errors)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!JsonText.TryGetName(property, out var name))
                {
                    continue; // reported by the shape check
                }

                var childPath = JsonPath.Member(path, name);
                if (SecretNames.Contains(name.ToLowerInvariant()) && property.Value.ValueKind == JsonValueKind.String)
                {
                    errors.Add(childPath, "secrets are never stored in a version: name an environment variable with \"apiKeyEnv\" instead");
                }

                FindSecrets(property.Value, childPath, errors);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                FindSecrets(item, $"{path}[{index++}]", errors);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ToolName();

    [GeneratedRegex("^[A-Z_][A-Z0-9_]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();
}
