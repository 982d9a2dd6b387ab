using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Rollgate.Managed;
using Rollgate.Quality;
using Rollgate.Signals;

namespace Rollgate.Evals;

/// <summary>
/// Scores an eval case's answer with the agent's <c>quality.judge</c>, by the same request, circuit and score format as
/// sampled judging. An eval is asked for by an operator, so it is not held to the daily budget of sampling; its cost is
/// the run's.
/// </summary>
public sealed class EvalJudge(ModelClient client, ModelCircuits circuits, IOptions<QualityOptions> options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <returns>The score (null when none came), its cost, and why there is no score.</returns>
    public async Task<(double? Score, double CostUsd, string? Failure)> ScoreAsync(QualityPlan plan, byte[] conversationRequest, string answer, CancellationToken cancellationToken)
    {
        var judge = plan.Judge;
        if (!judge.TryGetAuthorization(out var authorization))
        {
            return (null, 0, $"the judge's key ({judge.ApiKeyEnv}) is not set");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, judge.ChatUri)
        {
            Content = new ByteArrayContent(JudgeText.Request(plan, JudgeText.Conversation(conversationRequest), answer)),
        };
        request.Content.Headers.ContentType = Json;
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var timeout = options.Value.JudgeTimeout;
        var outcome = await JudgeCall.SendAsync(client, circuits, judge, timeout, request, cancellationToken);
        using var response = outcome.Result;
        if (response is null || !response.IsSuccessStatusCode)
        {
            return (null, 0, response is null
                ? $"the judge did not answer ({outcome.Exception?.GetType().Name ?? "no answer"})"
                : $"the judge answered {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}");
        }

        byte[] body;
        try
        {
            using var call = new CancellationTokenSource(timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(call.Token, cancellationToken);
            body = await JudgeCall.ReadAsync(response, linked.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            return (null, 0, "the judge's answer could not be read");
        }

        var cost = UsageReader.TryRead(body, out var input, out var output) ? judge.Pricing.Cost(input, output) : 0;
        return JudgeText.TryReadScore(body, out var score)
            ? (score, cost, null)
            : (null, cost, "the judge answered no score from 0 to 1");
    }
}
