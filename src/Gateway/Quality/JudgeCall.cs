using Polly;
using Rollgate.Managed;

namespace Rollgate.Quality;

/// <summary>One call of a judge through its endpoint's circuit; shared by sampled judging and eval suites.</summary>
public static class JudgeCall
{
    /// <summary>A judge's answer is a small JSON object; a larger body is not read.</summary>
    private const int MaxJudgeAnswerBytes = 1024 * 1024;

    /// <summary>Sends <paramref name="request"/> through the judge's circuit with <paramref name="timeout"/>; never throws for the call's own failure.</summary>
    public static async Task<Outcome<HttpResponseMessage>> SendAsync(ModelClient client, ModelCircuits circuits, ManagedModel judge, TimeSpan timeout, HttpRequestMessage request, CancellationToken stoppingToken)
    {
        var resilience = ResilienceContextPool.Shared.Get(stoppingToken);
        resilience.Properties.Set(ModelCircuits.Timeout, timeout);
        try
        {
            return await judge.Pipeline(circuits).ExecuteOutcomeAsync(static async (context, state) =>
            {
                try
                {
                    return Outcome.FromResult(await state.Invoker.SendAsync(state.Request, context.CancellationToken));
                }
                catch (Exception ex)
                {
                    return Outcome.FromException<HttpResponseMessage>(ex);
                }
            }, resilience, (client.Invoker, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    /// <summary>The judge's answer, refused past <see cref="MaxJudgeAnswerBytes"/>.</summary>
    public static async Task<byte[]> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var body = new PooledBufferWriter(4096);
        while (true)
        {
            var read = await stream.ReadAsync(body.GetMemory(4096), cancellationToken);
            if (read == 0)
            {
                return body.Written.ToArray();
            }

            body.Advance(read);
            if (body.Length > MaxJudgeAnswerBytes)
            {
                throw new InvalidDataException("The judge's answer is larger than a score can be.");
            }
        }
    }
}
