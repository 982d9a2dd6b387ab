namespace Rollgate.Rules;

/// <summary>Which way a <see cref="RelativeChangeCondition"/> watches the subject move against the baseline.</summary>
public enum ChangeDirection
{
    Drops,
    Rises,
}
