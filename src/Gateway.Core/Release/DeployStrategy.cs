namespace Rollgate.Release;

public enum DeployStrategy
{
    /// <summary>The version becomes stable and takes all traffic at once.</summary>
    Immediate,

    /// <summary>The version takes a growing share of traffic, step by step, beside the stable.</summary>
    Canary,
}
