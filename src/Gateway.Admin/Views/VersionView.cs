using System.Text.Json;
using System.Text.Json.Nodes;
using Rollgate.Json;
using Rollgate.Release;
using Rollgate.Versions;

namespace Rollgate.Admin.Views;

/// <summary>
/// A version as the admin API shows it: the immutable snapshot, plus <c>rolledBack</c>, which is a fact about the
/// agent's release history rather than about the snapshot, so it is kept in the release state and added here.
/// </summary>
internal static class VersionView
{
    public static JsonObject Of(AgentVersion version, ReleaseState? state)
    {
        var view = JsonSerializer.SerializeToNode(version, RollgateJson.Options)!.AsObject();
        view["rolledBack"] = state?.IsRolledBackFrom(version.Number) ?? false;
        return view;
    }
}
