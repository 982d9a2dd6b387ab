using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rollgate.Configuration;
using Rollgate.Hosting;
using Rollgate.Json;
using Rollgate.Security;
using Rollgate.Signals;
using Rollgate.Stores.Redis;

namespace Rollgate.Tests.Hosting;

/// <summary>
/// The <c>Rollgate:*</c> sections bound and checked the way <see cref="GatewayHost.Build"/> does it, without starting
/// anything: every key reaches its options, and every bad value is refused by its full key, all of them at once.
/// </summary>
public sealed partial class GatewaySettingsTests
{
    [Fact]
    public void Every_section_is_bound_from_its_keys()
    {
        using var services = Bind(new()
        {
            ["Rollgate:ProxyUrl"] = "http://127.0.0.1:9100",
            ["Rollgate:AdminUrl"] = "http://127.0.0.1:9101",
            ["Rollgate:Store"] = "Redis",
            ["Rollgate:Redis"] = "127.0.0.1:6380,password=secret",
            ["Rollgate:DataDir"] = "/var/lib/rollgate",
            ["Rollgate:AdminToken"] = "admin-secret",
            ["Rollgate:Tokens:ci:Token"] = "ci-secret",
            ["Rollgate:Tokens:ci:Role"] = "Reporter",
            ["Rollgate:Tokens:0:Token"] = "viewer-secret",
            ["Rollgate:EvaluationInterval"] = "500ms",
            ["Rollgate:ControllerLease"] = "10s",
            ["Rollgate:ReplicaId"] = "gw-1",
            ["Rollgate:Seed"] = "/etc/rollgate/seed.json",
            ["Rollgate:BackendTimeout"] = "90s",
            ["Rollgate:MaxRequestBodySize"] = "1048576",
            ["Rollgate:RedisStore:KeyPrefix"] = "rg",
            ["Rollgate:RedisStore:PollInterval"] = "2s",
            ["Rollgate:RedisStore:ReplicaTimeout"] = "10s",
            ["Rollgate:RedisStore:ReplicaRetention"] = "5m",
            ["Rollgate:RedisStore:Timeout"] = "3s",
            ["Rollgate:RedisStore:MaxVersionAttempts"] = "8",
            ["Rollgate:Figures:SecondRetention"] = "70m",
            ["Rollgate:Figures:MinuteRetention"] = "6h",
            ["Rollgate:Figures:MaxPendingAge"] = "1m",
            ["Rollgate:Figures:MaxPendingDeltas"] = "500",
            ["Rollgate:RequestLedger:Retention"] = "48h",
            ["Rollgate:RequestLedger:Capacity"] = "1000",
            ["Rollgate:RequestLedger:BufferCapacity"] = "2000",
            ["Rollgate:RequestLedger:MaxStoredIdLength"] = "64",
            ["Rollgate:RequestLedger:FlushBatch"] = "250",
        });

        GatewaySettings.ThrowIfInvalid(services);

        var root = services.GetRollgateOptions();
        Assert.Equal(("http://127.0.0.1:9100", "http://127.0.0.1:9101"), (root.ProxyUrl, root.AdminUrl));
        Assert.True(root.UsesRedis);
        Assert.Equal(("127.0.0.1:6380,password=secret", "/var/lib/rollgate", "admin-secret"), (root.Redis, root.DataDir, root.AdminToken));
        Assert.Equal(
            [new ApiToken("token-0", "viewer-secret", TokenRole.Viewer), new ApiToken("token-ci", "ci-secret", TokenRole.Reporter)],
            root.Tokens.Select(entry => entry.Value.ToApiToken(entry.Key)));
        Assert.Equal((TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10)), (root.EvaluationInterval, root.ControllerLease));
        Assert.Equal(("gw-1", "/etc/rollgate/seed.json"), (root.ReplicaId, root.Seed));
        Assert.Equal((TimeSpan.FromSeconds(90), 1_048_576L), (root.BackendTimeout, root.MaxRequestBodySize));

        var redis = Options<RedisStoreOptions>(services);
        Assert.Equal(("rg", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(3), 8),
            (redis.KeyPrefix, redis.PollInterval, redis.ReplicaTimeout, redis.ReplicaRetention, redis.Timeout, redis.MaxVersionAttempts));
        var figures = Options<FigureStoreOptions>(services);
        Assert.Equal((TimeSpan.FromMinutes(70), TimeSpan.FromHours(6)), (figures.SecondRetention, figures.MinuteRetention));
        var flusher = Options<FigureFlusherOptions>(services);
        Assert.Equal((TimeSpan.FromMinutes(1), 500), (flusher.MaxPendingAge, flusher.MaxPendingDeltas));
        var ledger = Options<RequestLedgerOptions>(services);
        Assert.Equal((TimeSpan.FromHours(48), 1000, 2000, 64, 250),
            (ledger.Retention, ledger.Capacity, ledger.BufferCapacity, ledger.MaxStoredIdLength, ledger.FlushBatch));
    }

    [Theory]
    [InlineData("Rollgate:ProxyUrl", "localhost")]
    [InlineData("Rollgate:AdminUrl", "http://127.0.0.1:8081/admin")]
    [InlineData("Rollgate:Store", "mongo")]
    [InlineData("Rollgate:Redis", ",password=secret")]
    [InlineData("Rollgate:Redis", "localhost:6379,nonsense=3")]
    [InlineData("Rollgate:DataDir", " ")]
    [InlineData("Rollgate:Tokens:ci:Role", "admin")]
    [InlineData("Rollgate:Tokens:ci:Role", "1")]
    [InlineData("Rollgate:EvaluationInterval", "0s")]
    [InlineData("Rollgate:EvaluationInterval", "soon")]
    [InlineData("Rollgate:ControllerLease", "1s")]
    [InlineData("Rollgate:ReplicaId", "")]
    [InlineData("Rollgate:BackendTimeout", "25h")]
    [InlineData("Rollgate:MaxRequestBodySize", "-5")]
    [InlineData("Rollgate:RedisStore:KeyPrefix", "a{b}")]
    [InlineData("Rollgate:RedisStore:PollInterval", "soon")]
    [InlineData("Rollgate:RedisStore:ReplicaTimeout", "0s")]
    [InlineData("Rollgate:RedisStore:ReplicaRetention", "1s")]
    [InlineData("Rollgate:RedisStore:Timeout", "0s")]
    [InlineData("Rollgate:RedisStore:MaxVersionAttempts", "0")]
    [InlineData("Rollgate:Figures:SecondRetention", "30s")]
    [InlineData("Rollgate:Figures:MinuteRetention", "1h")]
    [InlineData("Rollgate:Figures:MaxPendingAge", "0s")]
    [InlineData("Rollgate:Figures:MaxPendingDeltas", "none")]
    [InlineData("Rollgate:RequestLedger:Retention", "200h")]
    [InlineData("Rollgate:RequestLedger:Capacity", "0")]
    [InlineData("Rollgate:RequestLedger:BufferCapacity", "-1")]
    [InlineData("Rollgate:RequestLedger:MaxStoredIdLength", "0")]
    [InlineData("Rollgate:RequestLedger:FlushBatch", "1e3")]
    [InlineData("Rollgate:Webhooks:IdleTimeout", "soon")]
    public void A_bad_value_in_any_section_is_refused_by_its_full_key(string key, string value)
    {
        var failure = Assert.Single(Refused(new()
        {
            ["Rollgate:Store"] = "redis", // so that the connection string is checked too
            ["Rollgate:Tokens:ci:Token"] = "ci-secret",
            [key] = value,
        }));

        Assert.StartsWith(key + " ", failure);
        Assert.DoesNotContain("System.", failure);
        Assert.DoesNotContain("secret", failure); // a connection string may hold a password
    }

    [Fact]
    public void A_value_that_does_not_convert_hides_no_other_bad_value_of_its_section()
    {
        var failures = Refused(new()
        {
            ["Rollgate:EvaluationInterval"] = "soon",
            ["Rollgate:Store"] = "mongo",
            ["Rollgate:MaxRequestBodySize"] = "30MB",
            ["Rollgate:BackendTimeout"] = "0s",
        });

        Assert.Equal(
            [
                "Rollgate:EvaluationInterval 'soon' is not a duration such as 500ms, 5s or 10m",
                "Rollgate:MaxRequestBodySize '30MB' is not a whole number",
                "Rollgate:Store 'mongo' must be 'file' or 'redis'",
                "Rollgate:BackendTimeout must be from 00:00:00.0010000 to 1.00:00:00 (it is 00:00:00)",
            ],
            failures);
    }

    [Theory]
    [InlineData("Rollgate:ControllerLease", "soon", "is not a duration such as 500ms, 5s or 10m")]
    [InlineData("Rollgate:Webhooks:AttemptTimeout", "5 seconds", "is not a duration such as 500ms, 5s or 10m")]
    [InlineData("Rollgate:MaxRequestBodySize", "30MB", "is not a whole number")]
    [InlineData("Rollgate:Webhooks:QueueCapacity", "1k", "is not a whole number")]
    public void A_value_that_does_not_convert_is_refused_saying_what_is_expected(string key, string value, string expected)
    {
        Assert.Equal([$"{key} '{value}' {expected}"], Refused(new() { [key] = value }));
    }

    [Fact]
    public void A_check_against_a_value_that_did_not_convert_is_left_out()
    {
        // Against the default interval (1s) a 1s lease would be refused; the interval given is not a duration at all.
        var failures = Refused(new() { ["Rollgate:EvaluationInterval"] = "soon", ["Rollgate:ControllerLease"] = "1s" });

        Assert.Equal(["Rollgate:EvaluationInterval 'soon' is not a duration such as 500ms, 5s or 10m"], failures);
    }

    [Fact]
    public void Bad_values_in_several_sections_are_one_refusal_naming_each()
    {
        var failures = Refused(new()
        {
            ["Rollgate:EvaluationInterval"] = "soon",
            ["Rollgate:RedisStore:KeyPrefix"] = "{tenant}",
            ["Rollgate:RequestLedger:FlushBatch"] = "0",
            ["Rollgate:Webhooks:MaxAttempts"] = "0",
        });

        Assert.Equal(
            [
                "Rollgate:EvaluationInterval",
                "Rollgate:RedisStore:KeyPrefix",
                "Rollgate:RequestLedger:FlushBatch",
                "Rollgate:Webhooks:MaxAttempts",
            ],
            failures.Select(failure => failure[..failure.IndexOf(' ')]));
    }

    [Fact]
    public void Options_validated_on_start_outside_the_gateway_sections_are_checked_too()
    {
        var configuration = new ConfigurationBuilder().Build();
        var collection = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddGatewaySettings();
        collection.AddOptions<ExtraOptions>().Validate(_ => false, "Extra:Value must be set").ValidateOnStart();
        collection.AddOptions<OtherOptions>().Validate(_ => false, "Other:Value must be set").ValidateOnStart();
        using var services = collection.BuildServiceProvider();

        var error = Assert.Throws<StartupException>(() => GatewaySettings.ThrowIfInvalid(services));

        Assert.Equal("Extra:Value must be set; Other:Value must be set", error.Message);
    }

    [Fact]
    public async Task Options_built_in_code_are_checked_by_the_same_validators()
    {
        var figures = Assert.Throws<OptionsValidationException>(() =>
            new InMemoryFigureStore(TimeProvider.System, new FigureStoreOptions { SecondRetention = TimeSpan.FromSeconds(1) }));
        var ledger = Assert.Throws<OptionsValidationException>(() =>
            new InMemoryRequestLedger(TimeProvider.System, new RequestLedgerOptions { FlushBatch = 0 }));
        var redis = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RedisStore.ConnectAsync("127.0.0.1:1", TimeProvider.System, new RedisStoreOptions { KeyPrefix = "{tenant}" }));

        Assert.Equal(["Rollgate:Figures:SecondRetention must be from 00:01:00 to 1.00:00:00 (it is 00:00:01)"], figures.Failures);
        Assert.Equal(["Rollgate:RequestLedger:FlushBatch must be at least 1 (it is 0)"], ledger.Failures);
        Assert.StartsWith("Rollgate:RedisStore:KeyPrefix '{tenant}' must", Assert.Single(redis.Failures));
    }

    [Fact]
    public void Every_key_is_in_the_configuration_table_with_its_default()
    {
        var table = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "configuration.md"))
            .Select(line => TableRow().Match(line))
            .Where(row => row.Success)
            .ToDictionary(row => row.Groups["key"].Value, row => row.Groups["default"].Value, StringComparer.Ordinal);
        using var services = new ServiceCollection().AddGatewaySettings().BuildServiceProvider();

        var keys = new List<string>();
        foreach (var section in services.GetServices<BoundSection>())
        {
            foreach (var (key, value) in Settings(section.Path, section.OptionsType))
            {
                keys.Add(key);
                Assert.True(table.TryGetValue(key, out var documented), $"{key} is not in docs/configuration.md");
                if (Documented(value) is { } expected)
                {
                    Assert.True(documented.Contains($"`{expected}`", StringComparison.Ordinal), $"{key}: documented default {documented}, actual {expected}");
                }
            }
        }

        Assert.Equal(keys.Order(StringComparer.Ordinal), table.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>Every key of an options type with its default; a dictionary of entries is listed as <c>{key}</c>'s settings.</summary>
    private static IEnumerable<(string Key, object? Default)> Settings(string path, Type type)
    {
        var defaults = Activator.CreateInstance(type);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var key = $"{path}:{property.Name}";
            if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                foreach (var entry in Settings(key + ":{key}", property.PropertyType.GetGenericArguments()[1]))
                {
                    yield return entry;
                }
            }
            else
            {
                yield return (key, property.GetValue(defaults));
            }
        }
    }

    /// <summary>How the table writes a default; null for one it describes in words (none, or per machine).</summary>
    private static string? Documented(object? value) => value switch
    {
        TimeSpan duration => Duration.Format(duration),
        string text when text.Contains(Environment.MachineName, StringComparison.Ordinal) => null,
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        string text => text,
        _ => null,
    };

    /// <summary>The failures of the one start-up refusal <paramref name="settings"/> cause.</summary>
    private static string[] Refused(Dictionary<string, string?> settings)
    {
        using var services = Bind(settings);
        var error = Assert.Throws<StartupException>(() => GatewaySettings.ThrowIfInvalid(services));
        Assert.Equal(2, error.ExitCode);
        return error.Message.Split("; ");
    }

    private static ServiceProvider Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddGatewaySettings().BuildServiceProvider();
    }

    private static T Options<T>(IServiceProvider services)
        where T : class => services.GetRequiredService<IOptions<T>>().Value;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `(?<key>Rollgate:[^`]+)` \| (?<default>[^|]*) \|")]
    private static partial Regex TableRow();

    private sealed class ExtraOptions;

    private sealed class OtherOptions;
}
