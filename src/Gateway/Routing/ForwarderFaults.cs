using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Routing;

/// <summary>Who a forwarding error is put down to; only the backend's count against a version.</summary>
public enum FaultOwner : byte
{
    /// <summary>The backend refused, reset, timed out or sent what cannot be proxied.</summary>
    Backend,

    /// <summary>The client went away, stopped reading or sending, or sent a body that cannot be read.</summary>
    Client,

    /// <summary>The gateway could not build the outgoing request (a bug, never by design).</summary>
    Gateway,
}

/// <summary>
/// Sorts YARP's <see cref="ForwarderError"/> by owner. YARP names the side that failed, and reports cancellation only
/// when the client aborted (a backend that stays silent is a timeout or a destination error, never "canceled").
/// </summary>
public static class ForwarderFaults
{
    public static FaultOwner OwnerOf(ForwarderError error) => error switch
    {
        ForwarderError.RequestCanceled
            or ForwarderError.RequestBodyCanceled
            or ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyCanceled
            or ForwarderError.ResponseBodyClient
            or ForwarderError.UpgradeRequestCanceled
            or ForwarderError.UpgradeRequestClient
            or ForwarderError.UpgradeResponseCanceled
            or ForwarderError.UpgradeResponseClient
            or ForwarderError.UpgradeActivityTimeout => FaultOwner.Client, // an upgraded connection left idle failed no one
        ForwarderError.RequestCreation => FaultOwner.Gateway,
        _ => FaultOwner.Backend,
    };

    /// <summary>What went wrong with the backend, in words for a problem's <c>detail</c>.</summary>
    public static string Describe(ForwarderError error) => error switch
    {
        ForwarderError.Request => "the backend could not be reached or closed the connection before answering",
        ForwarderError.RequestTimedOut => "the backend did not answer within the backend timeout",
        ForwarderError.RequestBodyDestination => "the backend stopped reading the request body",
        ForwarderError.ResponseBodyDestination => "the backend broke off its response",
        ForwarderError.NoAvailableDestinations => "the version has no backend destination to send to",
        _ => "the backend's answer could not be proxied",
    };
}
