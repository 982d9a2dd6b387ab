using System.Diagnostics.CodeAnalysis;

namespace Rollgate.Versions;

/// <summary>The <c>backend</c> component of a version: where it runs (see <see cref="ModelSpec"/> for how these types are used).</summary>
public sealed record BackendSpec
{
    /// <summary>Absolute http(s) URLs the version's traffic is load-balanced over.</summary>
    [DisallowNull] public IReadOnlyList<string>? Destinations { get; init; }
    /// <summary>Replaces <c>Rollgate:BackendTimeout</c> for this version.</summary>
    [DisallowNull] public TimeSpan? Timeout { get; init; }
}
