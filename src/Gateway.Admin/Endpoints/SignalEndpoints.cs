using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Admin.Views;
using Rollgate.Agents;
using Rollgate.Json;
using Rollgate.Observability;
using Rollgate.Signals;
using Rollgate.Stores;

namespace Rollgate.Admin.Endpoints;

/// <summary>Per-version figures over a window, and task outcomes reported after the fact.</summary>
internal static class SignalEndpoints
{
    private static readonly TimeSpan MaxWindow = TimeSpan.FromHours(1);

    /// <summary>Another replica's request ids reach the shared ledger within its next flush (about a second).</summary>
    private static readonly TimeSpan LedgerGrace = TimeSpan.FromSeconds(2.5);

    public static void Map(RouteGroupBuilder admin)
    {
        var figures = admin.MapGroup("").WithTags("Figures");
        figures.MapGet("/agents/{agent}/metrics", MetricsAsync)
            .WithName("Figures")
            .WithSummary("Per-version figures over a window")
            .Produces<FiguresView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        figures.MapPost("/agents/{agent}/outcomes", OutcomeAsync)
            .WithMetadata(new RequiresPermission(AdminPermission.Report))
            .WithName("ReportOutcome")
            .WithSummary("Report a task outcome by the request's X-Request-Id")
            .AcceptsBody<OutcomeRequest>()
            .Produces<OutcomeView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> MetricsAsync(string agent, HttpContext context, IRollgateStore store, IFigureStore figures, TimeProvider time,
        [Description("A duration from 1s to 1h, such as 60s or 10m; default 60s.")] string? window)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var span = TimeSpan.FromSeconds(60);
        if (!string.IsNullOrEmpty(window) && (!Duration.TryParse(window, out span) || span < TimeSpan.FromSeconds(1) || span > MaxWindow))
        {
            return AdminProblems.Validation(AdminProblems.Single("window", "must be a duration from 1s to 1h, such as 60s or 10m"));
        }

        var record = await store.GetAgentAsync(agent, context.RequestAborted);
        if (record is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        var to = time.GetUtcNow();
        var from = to - span;
        var byVersion = await figures.ReadAsync(agent, from, to, context.RequestAborted);
        var versions = byVersion
            .OrderBy(v => v.Key)
            .Select(v => VersionFiguresView.From(v.Key, Role(record.State, v.Key), v.Value, span))
            .ToArray();
        return Results.Json(new FiguresView(agent, Duration.Format(span), from, to, versions), RollgateJson.Options);
    }

    private static async Task<IResult> OutcomeAsync(string agent, HttpContext context, IRollgateStore store, IRequestLedger ledger, SignalRecorder recorder, TimeProvider time)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var (report, error) = await JsonBody.ReadAsync<OutcomeRequest>(context);
        if (error is not null)
        {
            return error;
        }

        var errors = new Rollgate.Validation.ValidationErrors();
        if (string.IsNullOrWhiteSpace(report!.RequestId) || report.RequestId.Length > 128)
        {
            errors.Add("requestId", $"is required: the {RollgateHeaders.RequestId} of the request (at most 128 characters)");
        }

        var outcome = report.Outcome switch { "completed" => TaskOutcome.Completed, "failed" => TaskOutcome.Failed, _ => TaskOutcome.None };
        if (outcome == TaskOutcome.None)
        {
            errors.Add("outcome", "must be \"completed\" or \"failed\"");
        }

        if (!errors.IsEmpty)
        {
            return AdminProblems.Validation(errors);
        }

        if (await store.GetAgentAsync(agent, context.RequestAborted) is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        var version = await ledger.FindAsync(agent, report.RequestId!, context.RequestAborted);
        var deadline = time.GetUtcNow() + LedgerGrace;
        while (version is null && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), time, context.RequestAborted);
            version = await ledger.FindAsync(agent, report.RequestId!, context.RequestAborted);
        }

        if (version is not { } served)
        {
            return AdminProblems.Problem(StatusCodes.Status404NotFound, "unknown-request", "Unknown request",
                $"No request '{report.RequestId}' to agent '{agent}' was served in the last 24 hours.");
        }

        recorder.For(agent, served).RecordOutcome(outcome);
        RollgateMetrics.TaskOutcomes.WithLabels(agent, served.ToString(System.Globalization.CultureInfo.InvariantCulture), report.Outcome!).Inc();
        return Results.Json(new OutcomeView(report.RequestId!, served, report.Outcome!), RollgateJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static string Role(Release.ReleaseState state, int version)
        => state.Canary == version ? "canary" : state.Stable == version ? "stable" : "inactive";
}

/// <summary>One version's figures over a window (<c>GET …/metrics</c>).</summary>
public sealed record VersionFiguresView(
    int Version, string Role, long Requests, long Errors, double? ErrorRate, double? MeanMs, double? P50Ms, double? P95Ms, double? P99Ms,
    double? CostPerRequest, double? TokensPerRequest, double? TaskCompletionRate, double RequestRate, long Completed, long Failed, double CostUsd,
    long Fallbacks, double? FallbackRate)
{
    /// <summary>Calls the version's agent made through the gateway to its tools, and how many failed.</summary>
    public long ToolCalls { get; init; }

    public long ToolFailures { get; init; }

    public double? ToolErrorRate { get; init; }

    /// <summary>The mean judge score (0 to 1) of the version's sampled answers, and how many were scored.</summary>
    public double? QualityScore { get; init; }

    public long QualityScored { get; init; }

    public static VersionFiguresView From(int version, string role, FigureSummary f, TimeSpan window) => new(
        version, role, f.Requests, f.Errors, Round(f.ErrorRate), Round(f.Latency.Mean()), Round(f.P50Ms), Round(f.P95Ms), Round(f.P99Ms),
        Round(f.CostPerRequest, 9), Round(f.TokensPerRequest), Round(f.TaskCompletionRate), Math.Round(f.RequestRate(window), 4),
        f.Completed, f.Failed, Math.Round(f.CostUsd, 9), f.Fallbacks, Round(f.FallbackRate))
    {
        ToolCalls = f.ToolCalls,
        ToolFailures = f.ToolFailures,
        ToolErrorRate = Round(f.ToolErrorRate),
        QualityScore = Round(f.QualityScore),
        QualityScored = f.QualityCount,
    };

    private static double? Round(double? value, int digits = 4) => value is { } v ? Math.Round(v, digits) : null;
}
