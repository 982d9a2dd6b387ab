using Rollgate.Release;

namespace Rollgate.Evals;

/// <summary>Runs a suite against one version through this replica's own data path, as a preview no user traffic sees.</summary>
public interface IEvalRunner
{
    /// <param name="previewToken">An operator token: the data path honours a preview only with one.</param>
    /// <returns>The result, not yet stored; null when this replica does not route <paramref name="version"/>.</returns>
    Task<EvalResult?> RunAsync(AgentRecord agent, EvalSuiteRecord suite, int version, string previewToken, CancellationToken cancellationToken);
}
