using Rollgate.Notifications;
using Rollgate.Release;

namespace Rollgate.Rules.Evaluation;

/// <summary>Posts every rule firing to the agent's webhooks; queued, so evaluation never waits on a receiver.</summary>
public sealed class WebhookFiringNotifier(WebhookNotifier webhooks) : IRuleFiringNotifier
{
    public void Notify(AgentRecord record, HistoryEvent historyEvent, Rule rule)
    {
        if (record.Definition.Webhooks.Count == 0)
        {
            return;
        }

        webhooks.Enqueue(record.Definition.Webhooks, WebhookPayload.Of(record.Name, historyEvent) with { Rule = rule.Text, Action = rule.Action.ToRuleText() });
    }
}
