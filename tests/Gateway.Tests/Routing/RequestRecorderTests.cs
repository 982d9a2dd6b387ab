using System.Text;
using Microsoft.AspNetCore.Http;
using Rollgate.Routing;
using Rollgate.Signals;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Tests.Routing;

public sealed class RequestRecorderTests
{
    private const string Usage = """{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":1000,"completion_tokens":200}}""";
    private static readonly TimeSpan Elapsed = TimeSpan.FromMilliseconds(40);

    private readonly DataPathFixture _fixture = new();
    private readonly RequestRecorder _recorder;

    public RequestRecorderTests() => _recorder = new RequestRecorder(_fixture.Ledger);

    /// <summary>A response as the backend sent it, its body written through the usage capture the response transform starts.</summary>
    private static async Task<DefaultHttpContext> AnsweredAsync(int status, string? body = Usage, params (string Name, string Value)[] headers)
    {
        var context = DataPathFixture.Request();
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }

        response.Body = UsageCaptureStream.For(response)!;
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(body ?? "{}"));
        return context;
    }

    [Fact]
    public async Task An_answer_is_counted_priced_from_its_usage_put_in_the_figures_and_remembered()
    {
        var target = _fixture.Route.Canary!;

        _recorder.Forwarded(target, await AnsweredAsync(200), error: null, Elapsed, "req-answered");

        Assert.Equal((1d, 0d), (target.Success.Value, target.Error.Value));
        Assert.Equal(1, (long)target.Duration.Count);
        Assert.Equal((1000d, 200d), (target.InputTokens.Value, target.OutputTokens.Value));
        Assert.Equal(0.0045, target.Cost.Value, 12);
        var figures = _fixture.Figures(2)!;
        Assert.Equal((1, 0, 1000, 200), (figures.Requests, figures.Errors, figures.InputTokens, figures.OutputTokens));
        Assert.Equal(0.0045, figures.CostUsd, 12);
        Assert.Equal(2, await _fixture.RememberedAsync("req-answered"));
    }

    [Theory]
    [InlineData("0.25", 0.25)]
    [InlineData("0", 0.0)]       // the backend says it cost nothing
    [InlineData("-1", 0.0045)]   // not a cost: priced from the usage instead
    [InlineData("a lot", 0.0045)]
    public async Task The_backends_cost_header_wins_over_the_usage_when_it_is_a_cost(string header, double cost)
    {
        var target = _fixture.Route.Stable!;

        _recorder.Forwarded(target, await AnsweredAsync(200, Usage, (RollgateHeaders.CostUsd, header)), error: null, Elapsed, "req-cost");

        Assert.Equal(cost, target.Cost.Value, 12);
        Assert.Equal(cost, _fixture.Figures(1)!.CostUsd, 12);
    }

    [Fact]
    public async Task The_outcome_header_counts_a_task_outcome_in_any_case_and_ignores_other_values()
    {
        var target = _fixture.Route.Stable!;

        _recorder.Forwarded(target, await AnsweredAsync(200, null, (RollgateHeaders.Outcome, "Completed")), null, Elapsed, "req-1");
        _recorder.Forwarded(target, await AnsweredAsync(200, null, (RollgateHeaders.Outcome, "FAILED")), null, Elapsed, "req-2");
        _recorder.Forwarded(target, await AnsweredAsync(200, null, (RollgateHeaders.Outcome, "maybe")), null, Elapsed, "req-3");

        Assert.Equal((1d, 1d), (target.Completed.Value, target.Failed.Value));
        var figures = _fixture.Figures(1)!;
        Assert.Equal((3, 1, 1), (figures.Requests, figures.Completed, figures.Failed));
    }

    [Fact]
    public async Task A_5xx_answer_and_a_backend_fault_count_against_the_version()
    {
        var target = _fixture.Route.Stable!;

        _recorder.Forwarded(target, await AnsweredAsync(503), error: null, Elapsed, "req-503");
        _recorder.Forwarded(target, DataPathFixture.Request(), new ForwarderFailure(ForwarderError.RequestTimedOut), Elapsed, "req-timeout");

        Assert.Equal((0d, 2d), (target.Success.Value, target.Error.Value));
        var figures = _fixture.Figures(1)!;
        Assert.Equal((2, 2), (figures.Requests, figures.Errors));
        Assert.Equal(1, await _fixture.RememberedAsync("req-timeout"));
    }

    [Fact]
    public async Task A_canary_attempt_retried_on_stable_counts_against_the_canary_and_the_stable_serves_the_id()
    {
        var canary = _fixture.Route.Canary!;

        _recorder.RetriedOnStable(canary, Elapsed);
        _recorder.Forwarded(_fixture.Route.Stable!, await AnsweredAsync(200), error: null, Elapsed, "req-retried");

        Assert.Equal(1d, canary.Error.Value);
        Assert.Equal(1, _fixture.Figures(2)!.Errors);
        Assert.Equal(1, await _fixture.RememberedAsync("req-retried"));
    }

    [Fact]
    public async Task A_canceled_request_is_remembered_and_outside_the_figures()
    {
        var target = _fixture.Route.Canary!;

        _recorder.Canceled(target, "req-canceled");

        Assert.Equal((1d, 0d, 0d), (target.Canceled.Value, target.Success.Value, target.Error.Value));
        Assert.Null(_fixture.Figures(2));
        Assert.Equal(2, await _fixture.RememberedAsync("req-canceled"));
    }

    [Fact]
    public async Task A_preview_request_has_series_of_its_own_but_stays_out_of_the_figures_and_the_ledger()
    {
        var preview = _fixture.Route.Previews[3];

        _recorder.Forwarded(preview, await AnsweredAsync(200), error: null, Elapsed, "req-preview");

        Assert.Equal(1d, preview.Success.Value);
        Assert.Null(_fixture.Figures(3));
        Assert.Null(await _fixture.RememberedAsync("req-preview"));
    }
}
