using System.Text.Json;
using Polly;
using Rollgate.Versions;

namespace Rollgate.Managed;

/// <summary>
/// One model a managed version may call: the version's own (<c>model</c>) or one of its <c>model.fallbacks</c>, with
/// where it is, the environment variable holding its key, and its pricing (cost is priced by the model that answered).
/// </summary>
public sealed class ManagedModel
{
    private string? _authorization;
    private ResiliencePipeline<HttpResponseMessage>? _pipeline;

    /// <param name="endpoint">The base URL of an OpenAI-compatible API (such as <c>https://api.openai.com/v1</c>).</param>
    public ManagedModel(string name, string endpoint, string? apiKeyEnv, ModelPricing pricing)
    {
        Name = name;
        NameJson = JsonEncodedText.Encode(name);
        ChatUri = new Uri(endpoint.TrimEnd('/') + "/chat/completions", UriKind.Absolute);
        ApiKeyEnv = apiKeyEnv;
        Pricing = pricing;
        CircuitKey = ChatUri.AbsoluteUri + " " + name;
    }

    public string Name { get; }

    /// <summary>The name as the request body's <c>model</c> value, escaped once.</summary>
    public JsonEncodedText NameJson { get; }

    public Uri ChatUri { get; }

    /// <summary>The environment variable holding the key; null for a model that needs none (a local server).</summary>
    public string? ApiKeyEnv { get; }

    public ModelPricing Pricing { get; }

    /// <summary>What identifies this endpoint's circuit: the same URL and model share one, whichever version calls them.</summary>
    public string CircuitKey { get; }

    public ResiliencePipeline<HttpResponseMessage> Pipeline(ModelCircuits circuits) => _pipeline ??= circuits.For(CircuitKey);

    /// <summary>
    /// The <c>Authorization</c> value for this model (null when it needs no key); false when the variable is missing or
    /// empty. A found key is kept: the process environment does not change from outside, and reading it takes a lock.
    /// </summary>
    public bool TryGetAuthorization(out string? authorization)
    {
        authorization = _authorization;
        if (ApiKeyEnv is null || authorization is not null)
        {
            return true;
        }

        if (Environment.GetEnvironmentVariable(ApiKeyEnv) is not { Length: > 0 } key)
        {
            return false;
        }

        authorization = _authorization = "Bearer " + key;
        return true;
    }
}
