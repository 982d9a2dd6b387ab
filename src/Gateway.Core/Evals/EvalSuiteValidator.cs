using System.Text.Json;
using System.Text.RegularExpressions;
using Rollgate.Validation;

namespace Rollgate.Evals;

/// <summary>Checks an eval suite before it is stored, naming each bad field by its JSON path.</summary>
public static class EvalSuiteValidator
{
    public const int MaxCases = 200;

    /// <summary>Bounds a pattern's match on an answer, so an operator's regex cannot stall a run.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Suite names share the rules of agent names: they are a path segment and a store key.</summary>
    public static bool IsValidName(string? name) => Agents.AgentName.IsValid(name);

    public static ValidationErrors Validate(EvalSuite suite)
    {
        var errors = new ValidationErrors();
        if (!suite.Path.StartsWith('/') || suite.Path.Contains("//", StringComparison.Ordinal) || suite.Path.Any(char.IsControl)
            || suite.Path.IndexOfAny(['?', '#', ' ']) >= 0)
        {
            errors.Add("path", "must start with '/' and have no empty segment, query, fragment or spaces");
        }

        if (suite.Cases.Count == 0)
        {
            errors.Add("cases", "must hold at least one case");
        }
        else if (suite.Cases.Count > MaxCases)
        {
            errors.Add("cases", $"must hold at most {MaxCases} cases");
        }

        for (var i = 0; i < suite.Cases.Count && i < MaxCases; i++)
        {
            var path = JsonPath.Index("cases", i);
            var @case = suite.Cases[i];
            if (@case is null)
            {
                errors.Add(path, "must be an object with messages and expect");
                continue;
            }

            if (@case.Messages.Count == 0)
            {
                errors.Add(JsonPath.Member(path, "messages"), "must hold at least one message");
            }
            else if (@case.Messages.Any(m => m.ValueKind != JsonValueKind.Object))
            {
                errors.Add(JsonPath.Member(path, "messages"), "every message must be an object such as {\"role\":\"user\",\"content\":\"…\"}");
            }

            ValidateExpectation(@case.Expect, JsonPath.Member(path, "expect"), errors);
        }

        return errors;
    }

    private static void ValidateExpectation(EvalExpectation? expect, string path, ValidationErrors errors)
    {
        if (expect is null || (expect.Contains is null ? 0 : 1) + (expect.Regex is null ? 0 : 1) + (expect.Judge is null ? 0 : 1) != 1)
        {
            errors.Add(path, "must name exactly one of contains, regex or judge");
            return;
        }

        if (expect.Judge is { } judge && judge.MinScore is not (>= 0 and <= 1))
        {
            errors.Add(JsonPath.Member(JsonPath.Member(path, "judge"), "minScore"), "is required: a score from 0 to 1");
        }

        if (expect.Contains is { Length: 0 })
        {
            errors.Add(JsonPath.Member(path, "contains"), "must not be empty");
        }

        if (expect.Regex is { } pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
            }
            catch (ArgumentException)
            {
                errors.Add(JsonPath.Member(path, "regex"), "must be a valid regular expression");
            }
        }
    }

    /// <summary>Whether <paramref name="answer"/> satisfies a validated contains or regex expectation, and why not.</summary>
    public static string? Check(EvalExpectation expect, string answer)
    {
        if (expect.Contains is { } text)
        {
            return answer.Contains(text, StringComparison.Ordinal) ? null : $"the answer does not contain \"{text}\"";
        }

        try
        {
            return Regex.IsMatch(answer, expect.Regex!, RegexOptions.CultureInvariant, MatchTimeout) ? null : $"the answer does not match /{expect.Regex}/";
        }
        catch (RegexMatchTimeoutException)
        {
            return $"matching /{expect.Regex}/ took longer than {MatchTimeout.TotalMilliseconds} ms";
        }
    }
}
