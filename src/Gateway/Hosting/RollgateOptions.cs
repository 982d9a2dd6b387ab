namespace Rollgate.Hosting;

/// <summary>
/// The keys directly under <c>Rollgate</c>: listeners, store, tokens, controller and proxy limits. The components'
/// sections (<c>Rollgate:RedisStore</c>, <c>Rollgate:Figures</c>, <c>Rollgate:RequestLedger</c>,
/// <c>Rollgate:Webhooks</c>) have options of their own; <see cref="GatewaySettings"/> lists them all.
/// </summary>
public sealed class RollgateOptions
{
    public const string SectionName = "Rollgate";

    /// <summary>The data-path listener.</summary>
    public string ProxyUrl { get; set; } = "http://0.0.0.0:8080";

    /// <summary>The admin API, metrics and health listener.</summary>
    public string AdminUrl { get; set; } = "http://127.0.0.1:8081";

    /// <summary><c>file</c> (embedded, one process) or <c>redis</c> (shared by a fleet of replicas).</summary>
    public string Store { get; set; } = "file";

    /// <summary>The file store's directory, and where a generated admin token is kept.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>The StackExchange.Redis configuration string of the Redis store.</summary>
    public string Redis { get; set; } = "localhost:6379";

    /// <summary>The operator token named <c>admin</c>; with no token configured at all, one is generated.</summary>
    public string? AdminToken { get; set; }

    /// <summary>More tokens, by their configuration key (<c>Rollgate:Tokens:{key}:Token</c>), so a refusal names the key given.</summary>
    public Dictionary<string, TokenOptions> Tokens { get; set; } = [];

    /// <summary>How often the controller moves rollouts forward and evaluates rules.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the controller lease outlives its last renewal; by default five intervals, at least 3 s.</summary>
    public TimeSpan? ControllerLease { get; set; }

    /// <summary>This replica's name in the fleet.</summary>
    public string ReplicaId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>A JSON file of agents, versions and initial deploys, applied idempotently at start-up.</summary>
    public string? Seed { get; set; }

    /// <summary>How long a backend may stay silent before the request fails with 504 (LLM calls are slow: default 5 minutes).</summary>
    public TimeSpan BackendTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest request body the proxy listener accepts, in bytes (Kestrel's default); larger is 413.</summary>
    public long MaxRequestBodySize { get; set; } = 30_000_000;

    internal bool UsesFile => string.Equals(Store, "file", StringComparison.OrdinalIgnoreCase);

    internal bool UsesRedis => string.Equals(Store, "redis", StringComparison.OrdinalIgnoreCase);
}
