namespace Rollgate.Rules.Evaluation;

/// <summary>
/// Where the controller publishes rule states so that every replica can show them in <c>GET /admin/agents/{agent}</c>
/// (only the controller evaluates).
/// </summary>
public interface IRuleStateBoard
{
    Task PublishAsync(string agent, IReadOnlyList<RuleStatus> statuses, CancellationToken cancellationToken);

    Task<IReadOnlyList<RuleStatus>?> ReadAsync(string agent, CancellationToken cancellationToken);
}
