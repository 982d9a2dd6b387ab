using System.Text;
using Rollgate.Managed;

namespace Rollgate.Tests.Managed;

/// <summary>The relay of a model's event stream: usage read, the usage event dropped only when the gateway asked for it, however the bytes are cut.</summary>
public sealed class SseUsageFilterTests
{
    private const string Content = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\r\n\r\n";
    private const string Usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}\n\n";
    private const string Done = "data: [DONE]\n\n";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void The_usage_event_the_gateway_asked_for_is_read_and_left_out(int chunkSize)
    {
        var (output, filter) = Relay(Content + Usage + Done, chunkSize, dropUsageEvent: true);

        Assert.Equal(Content + Done, output);
        Assert.Equal((true, 12L, 3L), (filter.HasUsage, filter.InputTokens, filter.OutputTokens));
    }

    [Fact]
    public void A_client_that_asked_for_usage_gets_every_event()
    {
        var (output, filter) = Relay(Content + Usage + Done, 5, dropUsageEvent: false);

        Assert.Equal(Content + Usage + Done, output);
        Assert.True(filter.HasUsage);
    }

    [Fact]
    public void A_usage_event_that_still_has_choices_is_passed_on_and_a_last_line_without_newline_too()
    {
        const string both = "data: {\"choices\":[{\"index\":0,\"delta\":{}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n";
        var (output, filter) = Relay(both + "data: [DONE]", 3, dropUsageEvent: true);

        Assert.Equal(both + "data: [DONE]", output);
        Assert.Equal(2, filter.OutputTokens);
    }

    private static (string Output, SseUsageFilter Filter) Relay(string stream, int chunkSize, bool dropUsageEvent)
    {
        var filter = new SseUsageFilter(dropUsageEvent);
        using var output = new PooledBufferWriter();
        var bytes = Encoding.UTF8.GetBytes(stream);
        for (var i = 0; i < bytes.Length; i += chunkSize)
        {
            filter.Process(bytes.AsSpan(i, Math.Min(chunkSize, bytes.Length - i)), output);
        }

        filter.Complete(output);
        return (Encoding.UTF8.GetString(output.Written.Span), filter);
    }
}
