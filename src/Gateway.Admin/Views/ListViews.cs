using Rollgate.Admin.Endpoints;
using Rollgate.Release;
using Rollgate.Versions;

namespace Rollgate.Admin.Views;

/// <summary><c>GET /admin/agents</c>.</summary>
public sealed record AgentListView(IReadOnlyList<AgentView> Agents);

/// <summary><c>GET …/versions</c>.</summary>
public sealed record VersionListView(IReadOnlyList<VersionView> Versions);

/// <summary><c>GET …/history</c>: newest first.</summary>
public sealed record HistoryView(IReadOnlyList<HistoryEvent> Events);

/// <summary><c>GET …/versions/{a}/diff/{b}</c>: per component, <c>same</c> or <c>changed</c> with the changed paths.</summary>
public sealed record DiffView(int From, int To, IReadOnlyDictionary<string, ComponentDiff> Components);

/// <summary><c>GET …/metrics</c>: each version's figures over the window.</summary>
public sealed record FiguresView(string Agent, string Window, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<VersionFiguresView> Versions);

/// <summary><c>POST …/outcomes</c>: the version the outcome was counted for.</summary>
public sealed record OutcomeView(string RequestId, int Version, string Outcome);

/// <summary><c>GET /admin/tools</c>.</summary>
public sealed record ToolListView(IReadOnlyList<ToolView> Tools);
