using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rollgate.Evals;
using Rollgate.Hosting;
using Rollgate.Quality;
using Rollgate.Release;
using Rollgate.Routing;

namespace Rollgate.Evals;

/// <summary>
/// Runs a suite by posting each case to this replica's own proxy listener with a preview of the version, so the
/// request takes the data path every client request takes (guardrails, fallbacks, pricing) and no user is routed to it.
/// </summary>
public sealed class DataPathEvalRunner(ListenerPorts ports, RoutingState routing, EvalJudge judge, TimeProvider time) : IEvalRunner, IDisposable
{
    /// <summary>How long one case may take; a case that takes longer fails.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a version just added may take to reach this replica's routing table.</summary>
    private static readonly TimeSpan RouteWait = TimeSpan.FromSeconds(5);

    private const int MaxAnswerChars = 4000;

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = CaseTimeout,
    };

    public async Task<EvalResult?> RunAsync(AgentRecord agent, EvalSuiteRecord suite, int version, string previewToken, CancellationToken cancellationToken)
    {
        if (await RoutedTargetAsync(agent, version, cancellationToken) is not { } target)
        {
            return null;
        }

        var definition = agent.Definition;
        var url = $"http://127.0.0.1:{ports.Proxy.ToString(CultureInfo.InvariantCulture)}{definition.EffectivePathPrefix(agent.Name)}{suite.Suite.Path}";
        var host = definition.PathPrefix is null && definition.Hosts.Count > 0 ? definition.Hosts[0].Replace("*.", "eval.", StringComparison.Ordinal) : null;
        var quality = QualityPlan.Of(agent.Name, definition);
        var outcomes = new List<EvalCaseOutcome>(suite.Suite.Cases.Count);
        for (var i = 0; i < suite.Suite.Cases.Count; i++)
        {
            outcomes.Add(await RunCaseAsync(i, suite.Suite.Cases[i], url, host, version, previewToken, target, quality, cancellationToken));
        }

        var passed = outcomes.Count(o => o.Passed);
        var at = time.GetUtcNow();
        return new EvalResult
        {
            Id = EvalResult.NewId(at),
            Agent = agent.Name,
            Suite = suite.Name,
            SuiteGeneration = suite.Generation,
            Version = version,
            At = at,
            Passed = passed,
            Total = outcomes.Count,
            PassRate = outcomes.Count == 0 ? 0 : (double)passed / outcomes.Count,
            CostUsd = outcomes.Sum(o => o.CostUsd),
            Cases = outcomes,
        };
    }

    private async Task<EvalCaseOutcome> RunCaseAsync(int index, EvalCase @case, string url, string? host, int version, string previewToken,
        VersionTarget target, QualityPlan? quality, CancellationToken cancellationToken)
    {
        var content = JsonSerializer.SerializeToUtf8Bytes(new { messages = @case.Messages });
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(content)
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            },
        };
        request.Headers.Add(RollgateHeaders.PreviewVersion, version.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(RollgateHeaders.PreviewToken, previewToken);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var status = (int)response.StatusCode;
            var answer = AnswerText(body);
            var cost = Cost(response, body, target);
            var servedBy = response.Headers.TryGetValues(RollgateHeaders.Version, out var values) ? values.FirstOrDefault() : null;
            double? score = null;
            string? failure;
            if (servedBy != version.ToString(CultureInfo.InvariantCulture))
            {
                failure = $"the data path answered from {(servedBy is null ? "no version" : "version " + servedBy)}, not version {version}";
            }
            else if (!response.IsSuccessStatusCode)
            {
                failure = $"the data path answered {status.ToString(CultureInfo.InvariantCulture)}";
            }
            else if (@case.Expect!.Judge is { } expected)
            {
                (score, var judgeCost, failure) = quality is null
                    ? (null, 0, "the agent has no quality.judge to score the answer")
                    : await judge.ScoreAsync(quality, content, answer, cancellationToken);
                cost += judgeCost;
                if (score < expected.MinScore)
                {
                    failure = $"the judge scored the answer {score.Value.ToString("0.###", CultureInfo.InvariantCulture)}, below {expected.MinScore.Value.ToString("0.###", CultureInfo.InvariantCulture)}";
                }
            }
            else
            {
                failure = EvalSuiteValidator.Check(@case.Expect, answer);
            }

            return new EvalCaseOutcome { Index = index, Passed = failure is null, Status = status, Answer = answer, Failure = failure, Score = score, CostUsd = cost };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ex is TaskCanceledException ? $"no answer within {Json.Duration.Format(CaseTimeout)}" : $"the request failed: {ex.Message}";
            return new EvalCaseOutcome { Index = index, Passed = false, Status = 0, Answer = "", Failure = failure, CostUsd = 0 };
        }
    }

    /// <summary>The version as this replica routes it, waiting briefly for a version added a moment ago.</summary>
    private async Task<VersionTarget?> RoutedTargetAsync(AgentRecord agent, int version, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + RouteWait;
        while (true)
        {
            if (routing.Current.ByEntryRoute.TryGetValue(ProxyIds.EntryRoute(agent.Name), out var route) && route.Previews.TryGetValue(version, out var target))
            {
                return target;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
    }

    /// <summary>A chat completion's first choice when the body is one, else the body itself.</summary>
    private static string AnswerText(byte[] body)
    {
        var text = JudgeText.Answer(body, streamed: false);
        if (text.Length == 0)
        {
            text = Encoding.UTF8.GetString(body);
        }

        return text.Length <= MaxAnswerChars ? text : text[..MaxAnswerChars];
    }

    /// <summary>The backend's reported cost when it gave one, else the version's pricing of the usage in the body.</summary>
    private static double Cost(HttpResponseMessage response, byte[] body, VersionTarget target)
    {
        if (response.Headers.TryGetValues(RollgateHeaders.CostUsd, out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var reported) && reported >= 0)
        {
            return reported;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
                && usage.TryGetProperty("prompt_tokens", out var input) && input.TryGetInt64(out var inputTokens)
                && usage.TryGetProperty("completion_tokens", out var output) && output.TryGetInt64(out var outputTokens))
            {
                return target.Pricing.Cost(inputTokens, outputTokens);
            }
        }
        catch (JsonException)
        {
            // Not JSON: no usage to price.
        }

        return 0;
    }

    public void Dispose() => _http.Dispose();
}
