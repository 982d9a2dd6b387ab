namespace Rollgate.Security;

public enum TokenRole
{
    Viewer,
    Operator,
    Reporter,
}
