using System.Text.Json;
using System.Text.RegularExpressions;
using Rollgate.Validation;

namespace Rollgate.Versions;

/// <summary>Checks every field the gateway itself interprets; the rest of a component is the agent's business.</summary>
public static partial class VersionManifestValidator
{
    private static readonly string[] SecretNames = ["apikey", "api_key", "secret", "password", "token", "authorization"];

    public static void ValidateManifestShape(VersionManifest manifest, ValidationErrors errors)
    {
        ExpectKind(manifest.Prompt, VersionComponents.Prompt, JsonValueKind.Object, errors);
        ExpectKind(manifest.Model, VersionComponents.Model, JsonValueKind.Object, errors);
        ExpectKind(manifest.Tools, VersionComponents.Tools, JsonValueKind.Array, errors);
        ExpectKind(manifest.Guardrails, VersionComponents.Guardrails, JsonValueKind.Object, errors);
        ExpectKind(manifest.Knowledge, VersionComponents.Knowledge, JsonValueKind.Object, errors);
        ExpectKind(manifest.Backend, VersionComponents.Backend, JsonValueKind.Object, errors);
        if (manifest.BasedOn is < 1)
        {
            errors.Add("basedOn", "must be a version number (1 or more)");
        }

        if (manifest.Notes is { Length: > 4096 })
        {
            errors.Add("notes", "must be at most 4096 characters");
        }
    }

    /// <summary>Validates the composed content (after <c>basedOn</c> was applied).</summary>
    public static void ValidateContent(AgentVersion version, bool requireBackend, ValidationErrors errors)
    {
        foreach (var component in VersionComponents.All)
        {
            if (version.Component(component) is { } value)
            {
                FindSecrets(value, component, errors);
            }
        }

        if (version.Model is { ValueKind: JsonValueKind.Object } model)
        {
            ValidateModel(model, "model", errors);
        }

        if (version.Tools is { ValueKind: JsonValueKind.Array } tools)
        {
            var index = 0;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tool in tools.EnumerateArray())
            {
                var path = $"tools[{index++}]";
                if (tool.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(path, "must be an object");
                    continue;
                }

                if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || !ToolName().IsMatch(name.GetString()!))
                {
                    errors.Add($"{path}.name", "is required: 1-64 letters, digits, '_' or '-'");
                }
                else if (!names.Add(name.GetString()!))
                {
                    errors.Add($"{path}.name", $"'{name.GetString()}' appears twice");
                }
            }
        }

        if (version.Backend is { ValueKind: JsonValueKind.Object } backend)
        {
            if (backend.TryGetProperty("destinations", out var destinations))
            {
                if (destinations.ValueKind != JsonValueKind.Array)
                {
                    errors.Add("backend.destinations", "must be an array of URLs");
                }
                else
                {
                    var index = 0;
                    foreach (var destination in destinations.EnumerateArray())
                    {
                        if (destination.ValueKind != JsonValueKind.String || !HttpUrl.IsAbsoluteHttp(destination.GetString()))
                        {
                            errors.Add($"backend.destinations[{index}]", "must be an absolute http or https URL");
                        }

                        index++;
                    }

                    if (index == 0 && requireBackend)
                    {
                        errors.Add("backend.destinations", "must name at least one destination");
                    }
                }
            }
            else if (requireBackend)
            {
                errors.Add("backend.destinations", "is required for a passthrough agent");
            }
        }
        else if (requireBackend)
        {
            errors.Add("backend", "is required for a passthrough agent: {\"destinations\":[\"http://…\"]}");
        }
    }

    private static void ValidateModel(JsonElement model, string path, ValidationErrors errors)
    {
        CheckNumber(model, "temperature", path, 0, 2, errors);
        CheckInteger(model, "maxTokens", path, 1, 10_000_000, errors);
        CheckString(model, "name", path, errors);
        CheckString(model, "provider", path, errors);
        if (model.TryGetProperty("endpoint", out var endpoint) && (endpoint.ValueKind != JsonValueKind.String || !HttpUrl.IsAbsoluteHttp(endpoint.GetString())))
        {
            errors.Add($"{path}.endpoint", "must be an absolute http or https URL");
        }

        if (model.TryGetProperty("apiKeyEnv", out var keyEnv) && (keyEnv.ValueKind != JsonValueKind.String || !EnvName().IsMatch(keyEnv.GetString()!)))
        {
            errors.Add($"{path}.apiKeyEnv", "must be the name of an environment variable (A-Z, 0-9, _)");
        }

        if (model.TryGetProperty("stop", out var stop) && stop.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{path}.stop", "must be an array of strings");
        }

        if (model.TryGetProperty("pricing", out var pricing))
        {
            if (pricing.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path}.pricing", "must be an object with inputPerMTok and outputPerMTok");
            }
            else
            {
                CheckNumber(pricing, "inputPerMTok", $"{path}.pricing", 0, 1_000_000, errors);
                CheckNumber(pricing, "outputPerMTok", $"{path}.pricing", 0, 1_000_000, errors);
            }
        }

        if (model.TryGetProperty("fallbacks", out var fallbacks))
        {
            if (fallbacks.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"{path}.fallbacks", "must be an array");
            }
            else
            {
                var index = 0;
                foreach (var fallback in fallbacks.EnumerateArray())
                {
                    if (fallback.ValueKind != JsonValueKind.Object)
                    {
                        errors.Add($"{path}.fallbacks[{index}]", "must be an object");
                    }
                    else
                    {
                        ValidateModel(fallback, $"{path}.fallbacks[{index}]", errors);
                    }

                    index++;
                }
            }
        }
    }

    private static void FindSecrets(JsonElement element, string path, ValidationErrors errors)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                var childPath = $"{path}.{property.Name}";
                if (SecretNames.Contains(property.Name.ToLowerInvariant()) && property.Value.ValueKind == JsonValueKind.String)
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

    private static void ExpectKind(JsonElement? value, string field, JsonValueKind kind, ValidationErrors errors)
    {
        if (value is { } v && v.ValueKind != kind && v.ValueKind != JsonValueKind.Null)
        {
            errors.Add(field, kind == JsonValueKind.Array ? "must be an array" : "must be an object");
        }
    }

    private static void CheckNumber(JsonElement parent, string name, string path, double min, double max, ValidationErrors errors)
    {
        if (parent.TryGetProperty(name, out var value) && (value.ValueKind != JsonValueKind.Number || value.GetDouble() < min || value.GetDouble() > max))
        {
            errors.Add($"{path}.{name}", $"must be a number from {min} to {max}");
        }
    }

    private static void CheckInteger(JsonElement parent, string name, string path, long min, long max, ValidationErrors errors)
    {
        if (parent.TryGetProperty(name, out var value) && (!value.TryGetInt64(out var n) || n < min || n > max))
        {
            errors.Add($"{path}.{name}", $"must be an integer from {min} to {max}");
        }
    }

    private static void CheckString(JsonElement parent, string name, string path, ValidationErrors errors)
    {
        if (parent.TryGetProperty(name, out var value) && (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString())))
        {
            errors.Add($"{path}.{name}", "must be a non-empty string");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ToolName();

    [GeneratedRegex("^[A-Z_][A-Z0-9_]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();
}
