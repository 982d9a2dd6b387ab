using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Polly;
using Rollgate.Managed;
using Rollgate.Observability;
using Rollgate.Signals;

namespace Rollgate.Quality;

/// <summary>
/// Judges the sampled answers of <see cref="JudgeQueue"/>, <see cref="QualityOptions.Concurrency"/> at a time: one
/// OpenAI-compatible chat call per answer through the judge endpoint's circuit (<see cref="ModelCircuits"/>), its cost
/// counted against the agent's daily budget (the fleet's, <see cref="JudgeBudget"/>), and a score from 0 to 1
/// recorded in the version's figures. A call that fails or answers anything but a score is counted, never scored.
/// </summary>
public sealed partial class JudgeWorker(
    JudgeQueue queue,
    JudgeBudget budget,
    ModelClient client,
    ModelCircuits circuits,
    IOptions<QualityOptions> options,
    TimeProvider time,
    ILogger<JudgeWorker> logger) : BackgroundService
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(Enumerable.Range(0, options.Value.Concurrency).Select(_ => Task.Run(() => RunAsync(stoppingToken), CancellationToken.None)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        await base.StopAsync(cancellationToken);
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var sample in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    JudgeQueue.Count(sample.Plan.Agent, sample.Version, await JudgeAsync(sample, stoppingToken));
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A sample must never stop the worker.
                    LogJudgeFailed(logger, ex, sample.Plan.Agent, sample.Version, "error");
                    JudgeQueue.Count(sample.Plan.Agent, sample.Version, JudgeOutcome.Failed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <returns>The outcome to count.</returns>
    internal async Task<string> JudgeAsync(JudgeSample sample, CancellationToken stoppingToken)
    {
        var plan = sample.Plan;
        if (circuits.IsRefusing(plan.Judge.CircuitKey))
        {
            return JudgeOutcome.Failed; // queued before its circuit opened: the call would be refused, so nothing is prepared
        }

        if (await budget.RefusalAsync(plan, stoppingToken) is { } refusal)
        {
            return refusal;
        }

        var answer = JudgeText.Answer(sample.Answer, sample.Streamed);
        if (answer.Length == 0)
        {
            return JudgeOutcome.Skipped;
        }

        var judge = plan.Judge;
        if (!judge.TryGetAuthorization(out var authorization))
        {
            LogKeyMissing(logger, plan.Agent, judge.Name, judge.ApiKeyEnv!);
            return JudgeOutcome.Failed;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, judge.ChatUri)
        {
            Content = new ByteArrayContent(JudgeText.Request(plan, JudgeText.Conversation(sample.Request), answer)),
        };
        request.Content.Headers.ContentType = Json;
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var timeout = options.Value.JudgeTimeout;
        using var call = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(call.Token, stoppingToken);
        var outcome = await JudgeCall.SendAsync(client, circuits, judge, timeout, request, stoppingToken);
        using var response = outcome.Result;
        if (response is null || !response.IsSuccessStatusCode)
        {
            LogJudgeFailed(logger, outcome.Exception, plan.Agent, sample.Version, response is null ? outcome.Exception?.GetType().Name ?? "no answer" : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return JudgeOutcome.Failed;
        }

        byte[] body;
        try
        {
            body = await JudgeCall.ReadAsync(response, linked.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or InvalidDataException && !stoppingToken.IsCancellationRequested)
        {
            LogJudgeFailed(logger, ex, plan.Agent, sample.Version, "answer not read");
            return JudgeOutcome.Failed;
        }

        if (Signals.UsageReader.TryRead(body, out var input, out var output))
        {
            var cost = judge.Pricing.Cost(input, output);
            if (cost > 0)
            {
                await budget.AddAsync(plan.Agent, cost, stoppingToken);
                RollgateMetrics.JudgeCost.WithLabels(plan.Agent).Inc(cost);
            }
        }

        if (!JudgeText.TryReadScore(body, out var score))
        {
            LogUnparseable(logger, plan.Agent, sample.Version);
            return JudgeOutcome.Unparseable;
        }

        sample.Signals.RecordQuality(score);
        RollgateMetrics.QualityScore.WithLabels(plan.Agent, sample.Version).Observe(score);
        return JudgeOutcome.Scored;
    }

    [LoggerMessage(1400, LogLevel.Warning, "The judge of agent {Agent} ({Model}) needs the key in {ApiKeyEnv}, which is not set: answers are not judged")]
    private static partial void LogKeyMissing(ILogger logger, string agent, string model, string apiKeyEnv);

    // Debug: a dead judge would say so for every sample; rollgate_judge_requests_total{outcome="failed"} counts them.
    [LoggerMessage(1401, LogLevel.Debug, "The judge of agent {Agent} failed on an answer of version {Version}: {Reason}")]
    private static partial void LogJudgeFailed(ILogger logger, Exception? exception, string agent, string version, string reason);

    [LoggerMessage(1402, LogLevel.Debug, "The judge of agent {Agent} answered no score from 0 to 1 for an answer of version {Version}")]
    private static partial void LogUnparseable(ILogger logger, string agent, string version);
}
