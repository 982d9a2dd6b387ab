using System.Text.Json;
using System.Text.Json.Nodes;
using Rollgate.Json;

namespace Rollgate.Rules.Evaluation;

/// <summary>The <c>evidence</c> of a rule-caused history event: enough for anyone to see why the gateway acted.</summary>
public static class RuleEvidence
{
    /// <param name="baselineWindow">Where the baseline's figures were read from: shown for a drift rule, whose baseline is the subject's own past.</param>
    public static JsonElement Build(Rule rule, RuleVerdict verdict, int subject, int? baseline, DateTimeOffset from, DateTimeOffset to, DateTimeOffset firstHeld, DateTimeOffset decided,
        (DateTimeOffset From, DateTimeOffset To)? baselineWindow = null)
    {
        var evidence = new JsonObject
        {
            ["rule"] = rule.Text,
            ["metric"] = rule.Metric.ToRuleText(),
            ["window"] = new JsonObject { ["over"] = Duration.Format(rule.Over), ["from"] = from, ["to"] = to },
            ["for"] = Duration.Format(rule.For),
            ["min"] = rule.MinRequests,
            ["heldSince"] = firstHeld,
            ["decidedAt"] = decided,
            ["subject"] = new JsonObject { ["version"] = subject, ["requests"] = verdict.SubjectN, ["value"] = verdict.Value },
        };
        if (baseline is not null || verdict.Baseline is not null)
        {
            var baselineEvidence = new JsonObject { ["version"] = baseline, ["requests"] = verdict.BaselineN, ["value"] = verdict.Baseline };
            if (rule.AgainstPrevious is { } previous && baselineWindow is { } window)
            {
                baselineEvidence["window"] = new JsonObject { ["previous"] = Duration.Format(previous), ["from"] = window.From, ["to"] = window.To };
            }

            evidence["baseline"] = baselineEvidence;
        }

        if (verdict.Test is { } test)
        {
            evidence["confidence"] = new JsonObject
            {
                ["level"] = rule.Confidence,
                ["method"] = test.Method,
                ["statistic"] = Finite(test.Statistic),
                ["threshold"] = Finite(test.Threshold),
            };
        }

        return JsonSerializer.SerializeToElement(evidence, RollgateJson.Options);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;
}
