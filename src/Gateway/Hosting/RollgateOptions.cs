using Rollgate.Json;
using Rollgate.Security;

namespace Rollgate.Hosting;

/// <summary>The <c>Rollgate:*</c> configuration of spec §2, read once at start-up.</summary>
public sealed record RollgateOptions
{
    public string ProxyUrl { get; init; } = "http://0.0.0.0:8080";
    public string AdminUrl { get; init; } = "http://127.0.0.1:8081";
    public string Store { get; init; } = "file";
    public string DataDir { get; init; } = "./data";
    public string Redis { get; init; } = "localhost:6379";
    public string? AdminToken { get; init; }
    public IReadOnlyList<ApiToken> Tokens { get; init; } = [];
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromSeconds(1);
    public string ReplicaId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";
    public string? Seed { get; init; }
    /// <summary>How long a backend may stay silent before the request fails with 504 (LLM calls are slow: default 5 minutes).</summary>
    public TimeSpan BackendTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>The largest request body the proxy listener accepts, in bytes (Kestrel's default); larger is 413.</summary>
    public long MaxRequestBodySize { get; init; } = 30_000_000;

    public static RollgateOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Rollgate");
        var defaults = new RollgateOptions();
        var tokens = section.GetSection("Tokens").GetChildren().Select((child, i) =>
        {
            var name = child["Name"] ?? $"token-{i}";
            var token = child["Token"] ?? throw StartupException.InvalidSetting($"Rollgate:Tokens:{child.Key}:Token is missing");
            var roleText = child["Role"] ?? "viewer";
            if (!Enum.TryParse<TokenRole>(roleText, ignoreCase: true, out var role))
            {
                throw StartupException.InvalidSetting($"Rollgate:Tokens:{child.Key}:Role '{roleText}' must be viewer, operator or reporter");
            }

            return new ApiToken(name, token, role);
        }).ToArray();

        return new RollgateOptions
        {
            ProxyUrl = section["ProxyUrl"] ?? defaults.ProxyUrl,
            AdminUrl = section["AdminUrl"] ?? defaults.AdminUrl,
            Store = (section["Store"] ?? defaults.Store).ToLowerInvariant(),
            DataDir = section["DataDir"] ?? defaults.DataDir,
            Redis = section["Redis"] ?? defaults.Redis,
            AdminToken = string.IsNullOrEmpty(section["AdminToken"]) ? null : section["AdminToken"],
            Tokens = tokens,
            EvaluationInterval = ReadDuration(section, "EvaluationInterval", defaults.EvaluationInterval),
            ReplicaId = section["ReplicaId"] ?? defaults.ReplicaId,
            Seed = section["Seed"],
            BackendTimeout = ReadDuration(section, "BackendTimeout", defaults.BackendTimeout),
            MaxRequestBodySize = ReadSize(section, "MaxRequestBodySize", defaults.MaxRequestBodySize),
        };
    }

    private static long ReadSize(IConfigurationSection section, string key, long fallback)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw StartupException.InvalidSetting($"Rollgate:{key} '{text}' is not a positive number of bytes such as 30000000");
    }

    private static TimeSpan ReadDuration(IConfigurationSection section, string key, TimeSpan fallback)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }

        return Duration.TryParse(text, out var value) && value > TimeSpan.Zero
            ? value
            : throw StartupException.InvalidSetting($"Rollgate:{key} '{text}' is not a duration such as 1s, 500ms or 5m");
    }
}
