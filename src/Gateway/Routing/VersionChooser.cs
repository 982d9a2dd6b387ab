using Rollgate.Security;

namespace Rollgate.Routing;

/// <summary>
/// Picks the version that serves a request, from the agent's routing alone: a preview an operator asked for, else
/// the canary or the stable by the conversation's sticky bucket, else (no conversation key) by a random draw against
/// the canary weight. Allocation-free; reads only the request's headers, query or cookies.
/// </summary>
public sealed class VersionChooser(TokenRegistry tokens)
{
    /// <summary>The version for this request, or null when the agent has none deployed.</summary>
    public VersionTarget? Choose(AgentRoute agent, HttpRequest request)
    {
        var headers = request.Headers;
        if (headers.ContainsKey(RollgateHeaders.PreviewVersion) && Preview(agent, headers) is { } preview)
        {
            return preview;
        }

        if (agent.Canary is not { } canary || agent.Stable is null)
        {
            return agent.Stable ?? agent.Canary;
        }

        var key = agent.StickyKey.Read(request);
        var bucket = key.IsEmpty ? Random.Shared.Next(StickyBucket.Count) : StickyBucket.Of(agent.BucketSeed, key);
        return bucket < agent.CanaryThreshold ? canary : agent.Stable;
    }

    /// <summary>Preview is honoured only with an operator token; otherwise the header is ignored, as if never sent.</summary>
    private VersionTarget? Preview(AgentRoute agent, IHeaderDictionary headers)
        => int.TryParse(headers[RollgateHeaders.PreviewVersion], out var number)
           && agent.Previews.TryGetValue(number, out var target)
           && tokens.Resolve(headers[RollgateHeaders.PreviewToken].ToString()) is { Role: TokenRole.Operator }
            ? target
            : null;
}
