using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Rollgate.Managed;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Managed;

/// <summary>Each model endpoint's circuit (<see cref="ModelCircuits"/>), on a fake clock, and a dead primary skipped by the gateway.</summary>
public sealed class ModelCircuitTests
{
    private static readonly ModelCircuitOptions Options = new()
    {
        FailureRatio = 0.5, MinimumThroughput = 2, SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromSeconds(30),
    };

    private readonly FakeTimeProvider _clock = new();
    private int _calls;

    [Fact]
    public async Task Failures_open_the_circuit_which_refuses_calls_until_the_break_is_over()
    {
        const string endpoint = "http://model-a/v1/chat/completions gpt";
        var circuits = new ModelCircuits(Options, _clock, NullLogger<ModelCircuits>.Instance);
        var pipeline = circuits.For(endpoint);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await CallAsync(pipeline, HttpStatusCode.ServiceUnavailable)).Result!.StatusCode);
        Assert.False(circuits.IsRefusing(endpoint));
        Assert.Equal(HttpStatusCode.BadGateway, (await CallAsync(pipeline, HttpStatusCode.BadGateway)).Result!.StatusCode);
        Assert.True(circuits.IsRefusing(endpoint));
        var refused = await CallAsync(pipeline, HttpStatusCode.OK);

        Assert.IsType<BrokenCircuitException>(refused.Exception);
        Assert.Equal(2, _calls); // the refused call never reached the model
        _clock.Advance(Options.BreakDuration);
        Assert.False(circuits.IsRefusing(endpoint)); // the break is over: the next call is the trial
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(pipeline, HttpStatusCode.OK)).Result!.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(pipeline, HttpStatusCode.OK)).Result!.StatusCode);
        Assert.Equal(4, _calls);
        Assert.False(circuits.IsRefusing(endpoint));
        Assert.False(circuits.IsRefusing("http://never-called/v1/chat/completions gpt"));
    }

    [Fact]
    public async Task Each_endpoint_has_its_own_circuit_and_client_errors_do_not_count()
    {
        var circuits = new ModelCircuits(Options, _clock, NullLogger<ModelCircuits>.Instance);
        var dead = circuits.For("http://model-a/v1/chat/completions gpt");
        var other = circuits.For("http://model-a/v1/chat/completions gpt-mini");

        await CallAsync(dead, HttpStatusCode.InternalServerError);
        await CallAsync(dead, HttpStatusCode.InternalServerError);
        await CallAsync(other, HttpStatusCode.BadRequest);
        await CallAsync(other, HttpStatusCode.TooManyRequests);

        Assert.Same(dead, circuits.For("http://model-a/v1/chat/completions gpt"));
        Assert.IsType<BrokenCircuitException>((await CallAsync(dead, HttpStatusCode.OK)).Exception);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(other, HttpStatusCode.OK)).Result!.StatusCode);
    }

    [Fact]
    public async Task A_call_silent_past_its_timeout_fails_and_counts_against_the_endpoint()
    {
        var circuits = new ModelCircuits(Options, _clock, NullLogger<ModelCircuits>.Instance);
        var pipeline = circuits.For("http://model-b/v1/chat/completions gpt");

        var first = HangAsync(pipeline, TimeSpan.FromSeconds(2));
        _clock.Advance(TimeSpan.FromSeconds(2));
        var second = HangAsync(pipeline, TimeSpan.FromSeconds(2));
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.IsType<TimeoutRejectedException>((await first).Exception);
        Assert.IsType<TimeoutRejectedException>((await second).Exception);
        Assert.IsType<BrokenCircuitException>((await CallAsync(pipeline, HttpStatusCode.OK)).Exception);
    }

    [Fact]
    public async Task The_gateway_stops_calling_a_dead_primary_once_its_circuit_is_open()
    {
        using var primary = new ModelEndpoint();
        using var fallback = new ModelEndpoint();
        primary.Fails(503);
        fallback.Answers("from the fallback");
        await using var gateway = await GatewayInstance.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rollgate:ModelCircuit:MinimumThroughput"] = "2",
            ["Rollgate:ModelCircuit:BreakDuration"] = "1h",
        });
        const string agent = "circuit-bot";
        await GatewayInstance.EnsureAsync(await gateway.PutAgentAsync(agent, new { mode = "openai" }));
        var version = JsonNode.Parse($$"""
            {"model":{"name":"gpt-dead","endpoint":"{{primary.Endpoint}}","fallbacks":[{"name":"gpt-alive","endpoint":"{{fallback.Endpoint}}"}] } }
            """)!;
        var created = await gateway.Admin.PostAsync($"/admin/agents/{agent}/versions", GatewayInstance.Json(version.ToJsonString()));
        await GatewayInstance.EnsureAsync(created);
        await gateway.DeployAsync(agent, 1);

        for (var i = 0; i < 5; i++)
        {
            var response = await gateway.Proxy.PostAsync($"/agents/{agent}/v1/chat/completions",
                GatewayInstance.Json("""{"messages":[{"role":"user","content":"Hi"}]}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("gpt-alive", response.Headers.GetValues("X-Rollgate-Model").Single());
        }

        Assert.Equal(2, primary.Calls);
        Assert.Equal(5, fallback.Calls);
        var metrics = await gateway.Admin.GetStringAsync("/metrics");
        Assert.Contains($"rollgate_model_requests_total{{agent=\"{agent}\",version=\"1\",model=\"gpt-dead\",outcome=\"circuit_open\"}} 3", metrics);
        Assert.Contains($"rollgate_fallbacks_total{{agent=\"{agent}\",version=\"1\",from=\"gpt-dead\",to=\"gpt-alive\"}} 5", metrics);
    }

    private async Task<Outcome<HttpResponseMessage>> CallAsync(ResiliencePipeline<HttpResponseMessage> pipeline, HttpStatusCode status)
        => await ExecuteAsync(pipeline, TimeSpan.FromMinutes(1), _ =>
        {
            _calls++;
            return Task.FromResult(new HttpResponseMessage(status));
        });

    private async Task<Outcome<HttpResponseMessage>> HangAsync(ResiliencePipeline<HttpResponseMessage> pipeline, TimeSpan timeout)
        => await ExecuteAsync(pipeline, timeout, async token =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });

    private static async Task<Outcome<HttpResponseMessage>> ExecuteAsync(ResiliencePipeline<HttpResponseMessage> pipeline, TimeSpan timeout,
        Func<CancellationToken, Task<HttpResponseMessage>> call)
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(ModelCircuits.Timeout, timeout);
        try
        {
            return await pipeline.ExecuteOutcomeAsync(async (ctx, state) =>
            {
                try
                {
                    return Outcome.FromResult(await state(ctx.CancellationToken));
                }
                catch (Exception ex)
                {
                    return Outcome.FromException<HttpResponseMessage>(ex);
                }
            }, context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
