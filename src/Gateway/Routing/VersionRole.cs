namespace Rollgate.Routing;

public enum VersionRole
{
    Stable,
    Canary,
    Preview,
}
