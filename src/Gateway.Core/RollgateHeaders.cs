namespace Rollgate;

/// <summary>
/// Every HTTP header name the gateway reads or writes: between client and gateway, gateway and backend, and on the
/// webhooks it sends. Names are matched case-insensitively on the wire; these are the spellings the gateway writes.
/// </summary>
public static class RollgateHeaders
{
    /// <summary>The request's id: the client's when usable, else one the gateway generates; sent to the backend and echoed to the client.</summary>
    public const string RequestId = "X-Request-Id";

    /// <summary>Where the conversation key is read from when an agent names no other (<c>stickyBy</c>).</summary>
    public const string SessionId = "X-Session-Id";

    /// <summary>Client to gateway: the version to serve this request, outside the release (with <see cref="PreviewToken"/>).</summary>
    public const string PreviewVersion = "X-Rollgate-Preview-Version";

    /// <summary>Client to gateway: an operator token that authorises <see cref="PreviewVersion"/>; never forwarded.</summary>
    public const string PreviewToken = "X-Rollgate-Preview-Token";

    /// <summary>Gateway to backend: the agent the request was routed for.</summary>
    public const string Agent = "X-Rollgate-Agent";

    /// <summary>Gateway to backend, and back to the client: the number of the version that serves the request.</summary>
    public const string Version = "X-Rollgate-Version";

    /// <summary>Gateway to backend: the content hash of that version.</summary>
    public const string VersionHash = "X-Rollgate-Version-Hash";

    /// <summary>Gateway to backend: the role the version serves in (<c>stable</c>, <c>canary</c> or <c>preview</c>).</summary>
    public const string Role = "X-Rollgate-Role";

    /// <summary>Backend to gateway: what the request cost in US dollars, taken instead of the cost priced from token usage.</summary>
    public const string CostUsd = "X-Rollgate-Cost-Usd";

    /// <summary>Backend to gateway: the task's outcome known with the response, <c>completed</c> or <c>failed</c>.</summary>
    public const string Outcome = "X-Rollgate-Outcome";

    /// <summary>Gateway to client, for a managed agent: the model that answered (the version's own or a fallback).</summary>
    public const string Model = "X-Rollgate-Model";

    /// <summary>On a webhook: the type of the event in the body.</summary>
    public const string Event = "X-Rollgate-Event";

    /// <summary>On a webhook: the event's id, the same on every retry of one delivery.</summary>
    public const string EventId = "X-Rollgate-Event-Id";
}
