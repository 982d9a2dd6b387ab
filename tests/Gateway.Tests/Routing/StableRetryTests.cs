using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Rollgate.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Tests.Routing;

public sealed class StableRetryTests
{
    private static readonly ForwarderFailure Refused = new(ForwarderError.Request);

    [Fact]
    public void Only_a_canary_with_a_stable_behind_it_is_retried()
    {
        var fixture = new DataPathFixture();
        var noStable = new DataPathFixture(stable: null, canary: 2);
        var context = DataPathFixture.Request();

        Assert.True(StableRetry.Prepare(fixture.Route, fixture.Route.Canary!, context.Request).Applies(context, Refused));
        Assert.False(StableRetry.Prepare(fixture.Route, fixture.Route.Stable!, context.Request).Applies(context, Refused));
        Assert.False(StableRetry.Prepare(fixture.Route, fixture.Route.Previews[2], context.Request).Applies(context, Refused));
        Assert.False(StableRetry.Prepare(noStable.Route, noStable.Route.Canary!, context.Request).Applies(context, Refused));
    }

    [Theory]
    [InlineData("GET", null, false, true)]
    [InlineData("DELETE", null, false, true)]
    [InlineData("GET", null, true, false)]           // a chunked body of unknown size
    [InlineData("POST", 0L, false, true)]             // buffered, though empty
    [InlineData("POST", 1024L * 1024, false, true)]   // buffered: up to 1 MiB
    [InlineData("POST", 1024L * 1024 + 1, false, false)]
    [InlineData("POST", null, true, false)]
    public void A_request_is_retried_only_if_it_can_be_sent_twice(string method, long? contentLength, bool chunked, bool retried)
    {
        var fixture = new DataPathFixture();
        var context = DataPathFixture.Request(method, r =>
        {
            r.ContentLength = contentLength;
            if (chunked)
            {
                r.Headers.TransferEncoding = "chunked";
            }
        });

        var retry = StableRetry.Prepare(fixture.Route, fixture.Route.Canary!, context.Request);

        Assert.Equal(retried, retry.Applies(context, Refused));
    }

    [Fact]
    public void Only_a_failure_before_the_backend_answered_is_retried_and_only_while_the_client_waits()
    {
        var fixture = new DataPathFixture();
        var context = DataPathFixture.Request();
        var retry = StableRetry.Prepare(fixture.Route, fixture.Route.Canary!, context.Request);
        var aborted = DataPathFixture.Request();
        aborted.RequestAborted = new CancellationToken(canceled: true);
        var started = DataPathFixture.Request();
        started.Features.Set<IHttpResponseFeature>(new StartedResponseFeature());

        Assert.True(retry.Applies(context, Refused));
        Assert.False(retry.Applies(context, error: null));
        Assert.False(retry.Applies(context, new ForwarderFailure(ForwarderError.RequestTimedOut)));
        Assert.False(retry.Applies(context, new ForwarderFailure(ForwarderError.ResponseBodyDestination)));
        Assert.False(retry.Applies(aborted, Refused));
        Assert.False(retry.Applies(started, Refused));
    }

    [Fact]
    public async Task Rewind_clears_the_failed_attempt_and_replays_the_buffered_body()
    {
        var fixture = new DataPathFixture();
        var body = Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"refund"}]}""");
        var context = DataPathFixture.Request("POST", r =>
        {
            r.Body = new MemoryStream(body, writable: false);
            r.ContentLength = body.Length;
        });
        var retry = StableRetry.Prepare(fixture.Route, fixture.Route.Canary!, context.Request);
        await context.Request.Body.CopyToAsync(Stream.Null); // the canary attempt read it
        context.Features.Set<IForwarderErrorFeature>(Refused);
        context.Response.StatusCode = StatusCodes.Status502BadGateway;

        Assert.True(retry.Applies(context, Refused));
        StableRetry.Rewind(context);

        Assert.Null(context.Features.Get<IForwarderErrorFeature>());
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        var replayed = new MemoryStream();
        await context.Request.Body.CopyToAsync(replayed);
        Assert.Equal(body, replayed.ToArray());
    }
}
