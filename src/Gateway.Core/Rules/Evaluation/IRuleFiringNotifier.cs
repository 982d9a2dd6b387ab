using Rollgate.Release;

namespace Rollgate.Rules.Evaluation;

/// <summary>Tells the outside world that a rule fired (webhooks); must never block or throw.</summary>
public interface IRuleFiringNotifier
{
    void Notify(AgentRecord record, HistoryEvent historyEvent, Rule rule);
}
