using Microsoft.AspNetCore.Http;
using Rollgate.Signals;

namespace Rollgate.Tests.Signals;

public sealed class UsageCaptureStreamTests
{
    private static readonly byte[] Completion =
        """{"id":"x","choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"""u8.ToArray();

    [Theory]
    [InlineData(true, 1)] // Content-Length known, one write: read in place
    [InlineData(true, 3)] // Content-Length known, several writes: buffered, read at the end
    [InlineData(false, 1)] // chunked: buffered, read at the end
    [InlineData(false, 4)]
    public async Task Reads_usage_and_passes_every_byte_through_unchanged(bool withLength, int writes)
    {
        var (response, client) = Response("application/json; charset=utf-8", withLength ? Completion.Length : null);
        var capture = UsageCaptureStream.For(response)!;

        var size = (Completion.Length + writes - 1) / writes;
        for (var offset = 0; offset < Completion.Length; offset += size)
        {
            await capture.WriteAsync(Completion.AsMemory(offset, Math.Min(size, Completion.Length - offset)));
        }

        capture.Complete();
        Assert.True(capture.HasUsage);
        Assert.Equal((12L, 3L), (capture.InputTokens, capture.OutputTokens));
        Assert.Equal(Completion, client.ToArray());
    }

    [Fact]
    public async Task A_single_write_shorter_than_the_content_length_waits_for_the_rest()
    {
        var (response, _) = Response("application/json", Completion.Length);
        var capture = UsageCaptureStream.For(response)!;

        await capture.WriteAsync(Completion.AsMemory(0, 40));
        Assert.False(capture.HasUsage);
        await capture.WriteAsync(Completion.AsMemory(40));
        capture.Complete();

        Assert.Equal((12L, 3L), (capture.InputTokens, capture.OutputTokens));
    }

    [Theory]
    [InlineData("application/json", "gzip", null)] // compressed: the gateway cannot read it
    [InlineData("application/json", null, UsageCaptureStream.MaxJsonBytes + 1L)] // too large to buffer
    [InlineData("text/html", null, null)]
    [InlineData(null, null, null)]
    public void Responses_that_cannot_carry_readable_usage_are_not_wrapped(string? contentType, string? encoding, long? length)
    {
        var (response, _) = Response(contentType, length);
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }

        Assert.Null(UsageCaptureStream.For(response));
    }

    private static (HttpResponse Response, MemoryStream Client) Response(string? contentType, long? length)
    {
        var client = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = client;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = length;
        return (context.Response, client);
    }
}
