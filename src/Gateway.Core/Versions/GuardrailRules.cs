using System.Text.Json;
using System.Text.RegularExpressions;
using Rollgate.Validation;

namespace Rollgate.Versions;

/// <summary>
/// The guardrails a managed agent's version asks the gateway to apply: <c>guardrails.input.maxChars</c>,
/// <c>guardrails.input.deny</c> and <c>guardrails.output.deny</c> (regular expressions). The rest of the
/// <c>guardrails</c> component stays free-form. Read once per version, so each expression is compiled once.
/// </summary>
public sealed class GuardrailRules
{
    public const string MaxCharsRule = "guardrails.input.maxChars";
    public const string InputDenyPath = "guardrails.input.deny";
    public const string OutputDenyPath = "guardrails.output.deny";

    /// <summary>How long one expression may take on one text; a longer match blocks (fail closed), so a pattern cannot stall the data path.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public static readonly GuardrailRules None = new(null, [], []);

    private GuardrailRules(int? maxChars, IReadOnlyList<DenyRule> inputDeny, IReadOnlyList<DenyRule> outputDeny)
    {
        MaxChars = maxChars;
        InputDeny = inputDeny;
        OutputDeny = outputDeny;
    }

    /// <summary>The most characters the client's messages may hold together.</summary>
    public int? MaxChars { get; }

    public IReadOnlyList<DenyRule> InputDeny { get; }

    public IReadOnlyList<DenyRule> OutputDeny { get; }

    public bool ChecksInput => MaxChars is not null || InputDeny.Count > 0;

    /// <summary>
    /// Reads the rules from a version's <c>guardrails</c>; each problem goes to <paramref name="errors"/> under its JSON
    /// path (and the rule is left out). Without <paramref name="errors"/>, for a version already checked, nothing is reported.
    /// </summary>
    public static GuardrailRules Read(JsonElement? guardrails, ValidationErrors? errors = null)
    {
        if (guardrails is not { ValueKind: JsonValueKind.Object } root)
        {
            return None;
        }

        int? maxChars = null;
        IReadOnlyList<DenyRule> inputDeny = [];
        IReadOnlyList<DenyRule> outputDeny = [];
        if (Stage(root, "input", "guardrails.input", errors) is { } input)
        {
            if (input.TryGetProperty("maxChars", out var max))
            {
                if (max.ValueKind == JsonValueKind.Number && max.TryGetInt32(out var value) && value >= 1)
                {
                    maxChars = value;
                }
                else
                {
                    errors?.Add(MaxCharsRule, "must be a whole number of characters, 1 or more");
                }
            }

            inputDeny = Deny(input, InputDenyPath, errors);
        }

        if (Stage(root, "output", "guardrails.output", errors) is { } output)
        {
            outputDeny = Deny(output, OutputDenyPath, errors);
        }

        return maxChars is null && inputDeny.Count == 0 && outputDeny.Count == 0 ? None : new GuardrailRules(maxChars, inputDeny, outputDeny);
    }

    private static JsonElement? Stage(JsonElement root, string name, string path, ValidationErrors? errors)
    {
        if (!root.TryGetProperty(name, out var stage))
        {
            return null;
        }

        if (stage.ValueKind != JsonValueKind.Object)
        {
            errors?.Add(path, "must be an object");
            return null;
        }

        return stage;
    }

    private static IReadOnlyList<DenyRule> Deny(JsonElement stage, string path, ValidationErrors? errors)
    {
        if (!stage.TryGetProperty("deny", out var deny))
        {
            return [];
        }

        if (deny.ValueKind != JsonValueKind.Array)
        {
            errors?.Add(path, "must be an array of regular expressions");
            return [];
        }

        var rules = new List<DenyRule>();
        var index = 0;
        foreach (var item in deny.EnumerateArray())
        {
            var at = $"{path}[{index++}]";
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } pattern)
            {
                errors?.Add(at, "must be a non-empty regular expression");
                continue;
            }

            try
            {
                rules.Add(new DenyRule(at, new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout)));
            }
            catch (ArgumentException ex)
            {
                errors?.Add(at, $"is not a valid regular expression: {ex.Message}");
            }
        }

        return rules;
    }
}

/// <summary>One deny expression and the rule name a block reports (its JSON path, such as <c>guardrails.input.deny[0]</c>).</summary>
public sealed record DenyRule(string Name, Regex Pattern)
{
    /// <summary>True when the text matches, or when matching takes longer than <see cref="GuardrailRules.MatchTimeout"/>.</summary>
    public bool Blocks(ReadOnlySpan<char> text)
    {
        try
        {
            return Pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return true;
        }
    }
}
