using Rollgate.Release;

namespace Rollgate.Admin.Views;

/// <summary>The answer to a release command other than rollback: the new state and the event that records it.</summary>
public sealed record ChangeView(AgentView Agent, HistoryEvent Event, double ApplyMs);
