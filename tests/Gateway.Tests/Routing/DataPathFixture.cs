using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Agents;
using Rollgate.Release;
using Rollgate.Routing;
using Rollgate.Security;
using Rollgate.Signals;
using Rollgate.Versions;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Tests.Routing;

/// <summary>
/// One agent's routing built the way the gateway builds it (<see cref="AgentRouteBuilder"/>), with the real signal
/// handles and request ledger behind it, for testing the data path's steps without a host. Each fixture has an agent
/// name of its own, so the process-wide Prometheus series of one test are not another's.
/// </summary>
internal sealed class DataPathFixture
{
    public const string OperatorToken = "operator-token-for-data-path-tests";
    public const string ViewerToken = "viewer-token-for-data-path-tests";

    /// <summary>USD per million tokens of every version here: 1,000 input and 200 output tokens cost 0.0045.</summary>
    private const string Model = """{"provider":"openai","name":"gpt-test","pricing":{"inputPerMTok":2.5,"outputPerMTok":10}}""";

    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly SignalRecorder _signals;

    public DataPathFixture(int? stable = 1, int? canary = 2, double canaryPercent = 50, StickyBy? stickyBy = null)
    {
        Agent = "steps-" + Guid.NewGuid().ToString("N")[..12];
        _signals = new SignalRecorder(_clock);
        Ledger = new InMemoryRequestLedger(_clock);
        Tokens = new TokenRegistry([new ApiToken("ops", OperatorToken, TokenRole.Operator), new ApiToken("viewer", ViewerToken, TokenRole.Viewer)]);
        var versions = new[] { 1, 2, 3 }.ToDictionary(n => n, Version);
        var record = new AgentRecord
        {
            Name = Agent,
            Generation = 1,
            Definition = AgentDefinition.Default with { StickyBy = stickyBy ?? StickyBy.Default },
            State = new ReleaseState { Stable = stable, Canary = canary, CanaryPercent = canary is null ? 0 : canaryPercent, StableSince = Start },
            CreatedAt = Start,
            UpdatedAt = Start,
        };
        Route = AgentRouteBuilder.Build(new AgentSnapshot(record, versions), _signals);
    }

    public string Agent { get; }
    public AgentRoute Route { get; }
    public InMemoryRequestLedger Ledger { get; }
    public TokenRegistry Tokens { get; }

    /// <summary>The per-second figures recorded for <paramref name="version"/> so far (rotating the handles twice), or null if none.</summary>
    public FigureSummary? Figures(int version)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var first = _signals.Rotate();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var deltas = first.Concat(_signals.Rotate()).Where(d => d.Agent == Agent && d.Version == version).ToArray();
        return deltas.Length == 0 ? null : FigureSummary.Sum(deltas.Select(d => d.Figures));
    }

    public Task<int?> RememberedAsync(string requestId) => Ledger.FindAsync(Agent, requestId, CancellationToken.None);

    /// <summary>A request on a fresh context, as Kestrel hands one to the proxy pipeline.</summary>
    public static DefaultHttpContext Request(string method = "GET", Action<HttpRequest>? configure = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = "/v1/chat/completions";
        configure?.Invoke(context.Request);
        return context;
    }

    private static AgentVersion Version(int number)
    {
        using var model = JsonDocument.Parse(Model);
        return new AgentVersion
        {
            Number = number,
            Hash = "sha256:" + new string((char)('a' + number), 64),
            ComponentHashes = new Dictionary<string, string>(),
            CreatedAt = Start,
            CreatedBy = "tests",
            Model = model.RootElement.Clone(),
        };
    }
}

/// <summary>YARP's error feature as its forwarder sets it.</summary>
internal sealed record ForwarderFailure(ForwarderError Error, Exception? Exception = null) : IForwarderErrorFeature;

/// <summary>A response that has started (its headers sent), which a problem answer or a retry may no longer replace.</summary>
internal sealed class StartedResponseFeature : HttpResponseFeature
{
    public override bool HasStarted => true;
}
