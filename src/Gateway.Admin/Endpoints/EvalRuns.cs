using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Evals;
using Rollgate.Json;
using Rollgate.Release;
using Rollgate.Stores;

namespace Rollgate.Admin.Endpoints;

/// <summary>Runs a stored suite against a version and records the result with its <c>eval</c> history event; shared by the run endpoint and the canary gate.</summary>
internal static class EvalRuns
{
    /// <returns>The stored result, or the problem that kept the suite from running.</returns>
    public static async Task<(EvalResult? Result, IResult? Problem)> RunAsync(HttpContext context, AgentRecord agent, string suite, int version,
        IRollgateStore store, IEvalRunner runner, CancellationToken cancellationToken)
    {
        if (await store.GetEvalSuiteAsync(agent.Name, suite, cancellationToken) is not { } record)
        {
            return (null, UnknownSuite(agent.Name, suite));
        }

        // The caller is an operator (every POST needs one), and the data path honours a preview only with an operator token.
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (await runner.RunAsync(agent, record, version, token, cancellationToken) is not { } result)
        {
            return (null, AdminProblems.Problem(StatusCodes.Status409Conflict, "conflict", "Version not routed",
                $"This replica does not route version {version} of agent '{agent.Name}' yet; try again in a moment."));
        }

        var historyEvent = new HistoryEvent
        {
            Id = HistoryEvent.NewId(result.At),
            At = result.At,
            Type = HistoryEventTypes.Eval,
            Actor = context.Actor(),
            To = version,
            Generation = agent.Generation,
            Detail = $"eval suite '{suite}' on version {version}: {result.Passed}/{result.Total} passed ({result.PassRate.ToString("P0", CultureInfo.InvariantCulture)}), result {result.Id}",
            Evidence = JsonSerializer.SerializeToElement(new
            {
                resultId = result.Id,
                suite,
                suiteGeneration = result.SuiteGeneration,
                version,
                passRate = result.PassRate,
                passed = result.Passed,
                total = result.Total,
                costUsd = result.CostUsd,
                failures = result.Cases.Where(c => !c.Passed).Select(c => new { index = c.Index, failure = c.Failure }).ToArray(),
            }, RollgateJson.Options),
        };
        await store.RecordEvalResultAsync(result, historyEvent, CancellationToken.None);
        return (result, null);
    }

    public static IResult UnknownSuite(string agent, string suite)
        => AdminProblems.Problem(StatusCodes.Status404NotFound, "unknown-eval-suite", "Unknown eval suite", $"Agent '{agent}' has no eval suite named '{suite}'.");

    public static IResult InvalidSuiteName(string suite)
        => AdminProblems.Validation(AdminProblems.Single("suite", $"'{suite}' is not a valid suite name: lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters"));
}
