using Polly;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Tools;

/// <summary>
/// Probes open circuits whose break is over: a GET of the tool's <see cref="ToolDefinition.ProbePath"/> through the tool's
/// own pipeline, so Polly half-opens the breaker and closes it on success (or opens it again on failure) as it would
/// for a real call. Without probes a tool that nobody calls while its agents are degraded would stay open for ever.
/// </summary>
public sealed partial class ToolProber(ToolCircuits circuits, IForwarderHttpClientFactory clients, TimeProvider time, ILogger<ToolProber> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly HttpMessageInvoker _client = ToolClient.Create(clients);
    private readonly HashSet<ToolCircuit> _probing = [];

    /// <summary>Starts a probe of every open circuit whose break is over and that is not being probed already.</summary>
    public void ProbeDue(CancellationToken cancellationToken)
    {
        foreach (var circuit in circuits.Active)
        {
            if (circuit.State == CircuitState.Open && circuit.RetryAfter() == TimeSpan.Zero && Begin(circuit))
            {
                _ = ProbeAsync(circuit, cancellationToken);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                ProbeDue(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task ProbeAsync(ToolCircuit circuit, CancellationToken cancellationToken)
    {
        var resilience = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var uri = new Uri(circuit.Definition.Endpoint.TrimEnd('/') + circuit.Definition.ProbePath);
            var outcome = await circuit.Pipeline.ExecuteOutcomeAsync(static async (context, state) =>
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, state.Uri);
                    using var response = await state.Client.SendAsync(request, context.CancellationToken);
                    return Outcome.FromResult((int)response.StatusCode >= 500 ? new ToolCallResult(ToolCallEnd.ServerError) : ToolCallResult.Answered);
                }
                catch (Exception ex)
                {
                    return Outcome.FromException<ToolCallResult>(ex);
                }
            }, resilience, (Client: _client, Uri: uri));
            LogProbed(logger, circuit.Name, outcome.Exception is null && !outcome.Result.IsFailure ? "answered" : "failed");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
            End(circuit);
        }
    }

    private bool Begin(ToolCircuit circuit)
    {
        lock (_probing)
        {
            return _probing.Add(circuit);
        }
    }

    private void End(ToolCircuit circuit)
    {
        lock (_probing)
        {
            _probing.Remove(circuit);
        }
    }

    [LoggerMessage(1305, LogLevel.Information, "Tool {Tool}: probe of its open circuit {Result}")]
    private static partial void LogProbed(ILogger logger, string tool, string result);
}
