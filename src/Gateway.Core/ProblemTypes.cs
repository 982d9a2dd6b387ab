namespace Rollgate;

/// <summary>The one base of every problem <c>type</c> URI the gateway answers with, data path and admin API alike.</summary>
public static class ProblemTypes
{
    public const string Base = "https://rollgate.dev/problems/";
}
