using System.Diagnostics.Metrics;
using Prometheus;

namespace Rollgate.Observability;

/// <summary>
/// What prometheus-net exports besides Rollgate's own metrics. By default, from the first scrape of <c>/metrics</c>
/// on, it listens to every .NET <see cref="Meter"/> and to the framework's EventCounters. Many of those instruments
/// are recorded on every request (ASP.NET Core hosting, Kestrel, routing, the memory pool, <c>HttpClient</c>), so a
/// scraped gateway paid a listener callback per measurement that maps tags to labels: about 14 % of its CPU under
/// load, in perf. Rollgate's own <c>rollgate_requests_total</c> and <c>rollgate_request_duration_seconds</c> cover
/// the requests; of the .NET meters only the runtime's (GC, thread pool, JIT, CPU: read at scrape time) is kept, and
/// EventCounters, which duplicate it, are off. Process metrics stay.
/// </summary>
public static class DefaultMetricsPolicy
{
    /// <summary>The runtime's own meter (.NET 9 and later): observable instruments, nothing on the request path.</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>
    /// Applies the policy to prometheus-net's default registry. Takes effect when the registry is first collected, so it
    /// must run before the first scrape; calling it again is harmless (process-wide, same settings).
    /// </summary>
    public static void Apply()
    {
        Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = Exports);
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressProcessMetrics = false,
            SuppressDebugMetrics = false,
            SuppressEventCounters = true,
            SuppressMeters = false,
        });
    }

    /// <summary>Whether an instrument of a .NET meter is exported.</summary>
    public static bool Exports(Instrument instrument) => instrument.Meter.Name == RuntimeMeter;
}
