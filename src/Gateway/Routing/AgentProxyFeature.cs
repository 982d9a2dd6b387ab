using Rollgate.Quality;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Routing;

/// <summary>
/// YARP's proxy feature for a request the gateway has pointed at a version (what <c>ReassignProxyRequest</c> sets),
/// plus the request id. The reassignment needs a new feature object anyway, so the id rides along at no extra
/// allocation and the version route's transforms read it instead of looking the header up again.
/// </summary>
public sealed class AgentProxyFeature : ReverseProxyFeature
{
    /// <summary>The client's <c>X-Request-Id</c>, or one the gateway generated (<see cref="Generated"/>).</summary>
    public required string RequestId { get; init; }

    /// <summary>True when the client sent no usable id: the transforms then add <see cref="RequestId"/> toward the backend.</summary>
    public bool Generated { get; init; }

    /// <summary>Set by <see cref="ForwardableHeadersTransform"/> when a request header cannot be forwarded: the request is not sent.</summary>
    public string? UnforwardableHeader { get; set; }

    /// <summary>Set when the request was sampled for the judge: the response transform then copies the answer.</summary>
    public PassthroughSample? Sample { get; init; }

    public static AgentProxyFeature Assign(HttpContext context, RouteModel route, ClusterState cluster, string requestId, bool generated, PassthroughSample? sample)
    {
        var destinations = cluster.DestinationsState;
        var feature = new AgentProxyFeature
        {
            Route = route,
            Cluster = cluster.Model,
            AllDestinations = destinations.AllDestinations,
            AvailableDestinations = destinations.AvailableDestinations,
            ProxiedDestination = context.GetReverseProxyFeature().ProxiedDestination,
            RequestId = requestId,
            Generated = generated,
            Sample = sample,
        };
        context.Features.Set<IReverseProxyFeature>(feature);
        return feature;
    }
}
