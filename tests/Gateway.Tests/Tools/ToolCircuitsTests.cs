using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Rollgate.Tools;
using CircuitState = Rollgate.Tools.CircuitState;

namespace Rollgate.Tests.Tools;

/// <summary>The breaker of each tool, built by Polly's registry from the tool's options, on a fake clock.</summary>
public sealed class ToolCircuitsTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly ToolCircuits _circuits;
    private readonly List<(string Tool, CircuitState State)> _changes = [];

    public ToolCircuitsTests()
    {
        _circuits = new ToolCircuits(_time, NullLogger<ToolCircuits>.Instance);
        _circuits.StateChanged += c => _changes.Add((c.Name, c.State));
    }

    public void Dispose() => _circuits.Dispose();

    [Fact]
    public async Task Failures_open_the_circuit_which_then_rejects_half_opens_after_the_break_and_closes_on_a_success()
    {
        _circuits.Apply([Tool("refund")]);
        Assert.True(_circuits.TryGet("refund", out var circuit));

        for (var i = 0; i < 4; i++)
        {
            Assert.True((await CallAsync(circuit, ToolCallEnd.ServerError)).Result.IsFailure);
        }

        Assert.Equal(CircuitState.Open, circuit.State);
        var report = circuit.Report("r1");
        Assert.Equal((4, 4), (report.Calls, report.Failures));
        Assert.Equal(Start, report.OutageSince);
        Assert.IsType<BrokenCircuitException>((await CallAsync(circuit, ToolCallEnd.Answered)).Exception);
        Assert.Equal(TimeSpan.FromSeconds(10), circuit.RetryAfter());

        _time.Advance(TimeSpan.FromSeconds(10));
        var probe = await CallAsync(circuit, ToolCallEnd.ServerError); // the probe fails: open again, same outage
        Assert.Null(probe.Exception);
        Assert.Equal(CircuitState.Open, circuit.State);
        Assert.Equal(Start, circuit.Report("r1").OutageSince);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null((await CallAsync(circuit, ToolCallEnd.Answered)).Exception);
        Assert.Equal(CircuitState.Closed, circuit.State);
        Assert.Null(circuit.Report("r1").OutageSince);
        Assert.Equal(
            [("refund", CircuitState.Open), ("refund", CircuitState.HalfOpen), ("refund", CircuitState.Open), ("refund", CircuitState.HalfOpen), ("refund", CircuitState.Closed)],
            _changes);
    }

    [Fact]
    public async Task Client_faults_and_answers_below_500_never_open_the_circuit()
    {
        _circuits.Apply([Tool("search")]);
        Assert.True(_circuits.TryGet("search", out var circuit));

        for (var i = 0; i < 20; i++)
        {
            await CallAsync(circuit, i % 2 == 0 ? ToolCallEnd.ClientFault : ToolCallEnd.Answered);
        }

        Assert.Equal(CircuitState.Closed, circuit.State);
        Assert.Empty(_changes);
    }

    [Fact]
    public async Task A_changed_timeout_or_endpoint_keeps_the_open_breaker_but_changed_breaker_options_build_a_new_closed_one()
    {
        _circuits.Apply([Tool("refund")]);
        Assert.True(_circuits.TryGet("refund", out var circuit));
        var pipeline = circuit.Pipeline;
        for (var i = 0; i < 4; i++)
        {
            await CallAsync(circuit, ToolCallEnd.BackendFault);
        }

        _circuits.Apply([Tool("refund") with { Definition = Tool("refund").Definition with { Endpoint = "http://127.0.0.1:9200", Timeout = TimeSpan.FromSeconds(9) } }]);
        Assert.Equal(CircuitState.Open, circuit.State);
        Assert.Equal(TimeSpan.FromSeconds(9), circuit.Definition.Timeout);

        var wider = Tool("refund").Definition with { Breaker = new ToolBreaker { MinimumThroughput = 8, BreakDuration = TimeSpan.FromSeconds(10) } };
        _circuits.Apply([Tool("refund") with { Definition = wider }]);
        Assert.Equal(CircuitState.Closed, circuit.State);
        Assert.Same(pipeline, circuit.Pipeline); // the same reloadable pipeline, with a new breaker inside
        Assert.Null((await CallAsync(circuit, ToolCallEnd.Answered)).Exception);
    }

    [Fact]
    public async Task A_tool_removed_is_no_longer_found_and_registered_again_starts_closed()
    {
        _circuits.Apply([Tool("refund"), Tool("search")]);
        Assert.True(_circuits.TryGet("refund", out var circuit));
        for (var i = 0; i < 4; i++)
        {
            await CallAsync(circuit, ToolCallEnd.BackendFault);
        }

        _circuits.Apply([Tool("search")]);
        Assert.False(_circuits.TryGet("refund", out _));
        Assert.Equal(["search"], _circuits.Active.Select(c => c.Name));

        _circuits.Apply([Tool("search"), Tool("refund")]);
        Assert.True(_circuits.TryGet("refund", out var again));
        Assert.Equal(CircuitState.Closed, again.State);
    }

    [Fact]
    public async Task A_call_longer_than_the_timeout_is_a_timeout_failure()
    {
        _circuits.Apply([Tool("slow") with { Definition = Tool("slow").Definition with { Timeout = TimeSpan.FromSeconds(2) } }]);
        Assert.True(_circuits.TryGet("slow", out var circuit));
        var context = ResilienceContextPool.Shared.Get();
        var call = circuit.Pipeline.ExecuteOutcomeAsync(static async (c, _) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, c.CancellationToken);
            return Outcome.FromResult(ToolCallResult.Answered);
        }, context, 0).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));

        var outcome = await call;
        Assert.IsType<Polly.Timeout.TimeoutRejectedException>(outcome.Exception);
        Assert.True(ToolCallFailures.IsFailure(outcome));
    }

    private static ToolRecord Tool(string name) => new()
    {
        Name = name,
        Generation = 1,
        Definition = new ToolDefinition
        {
            Endpoint = "http://127.0.0.1:9100",
            Breaker = new ToolBreaker { FailureRatio = 0.5, MinimumThroughput = 4, SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromSeconds(10) },
        },
        CreatedAt = Start,
        UpdatedAt = Start,
    };

    private static async Task<Outcome<ToolCallResult>> CallAsync(ToolCircuit circuit, ToolCallEnd end)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            return await circuit.Pipeline.ExecuteOutcomeAsync(static (_, e) => ValueTask.FromResult(Outcome.FromResult(new ToolCallResult(e))), context, end);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
