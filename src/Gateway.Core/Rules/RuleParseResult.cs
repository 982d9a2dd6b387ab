using System.Diagnostics.CodeAnalysis;

namespace Rollgate.Rules;

/// <summary>Outcome of <see cref="RuleParser.Parse"/>: exactly one of <see cref="Rule"/> and <see cref="Error"/> is set.</summary>
public sealed record RuleParseResult
{
    private RuleParseResult(Rule? rule, RuleParseError? error)
    {
        Rule = rule;
        Error = error;
    }

    public Rule? Rule { get; }

    public RuleParseError? Error { get; }

    [MemberNotNullWhen(true, nameof(Rule))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Rule is not null;

    public static RuleParseResult Success(Rule rule) => new(rule ?? throw new ArgumentNullException(nameof(rule)), null);

    public static RuleParseResult Failure(RuleParseError error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));
}
