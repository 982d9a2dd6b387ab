namespace Rollgate.Routing;

/// <summary>This replica's name in the fleet (<c>Rollgate:ReplicaId</c>, default host name + pid).</summary>
public sealed record ReplicaIdentity(string Id);
