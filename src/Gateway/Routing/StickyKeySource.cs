using Microsoft.Extensions.Primitives;
using Rollgate.Agents;

namespace Rollgate.Routing;

/// <summary>Reads the conversation key named by an agent's <c>stickyBy</c>.</summary>
public sealed class StickyKeySource
{
    private readonly string _name;
    private readonly Kind _kind;

    public StickyKeySource(StickyBy stickyBy)
    {
        (_kind, _name) = stickyBy switch
        {
            { Cookie: { } cookie } => (Kind.Cookie, cookie),
            { Query: { } query } => (Kind.Query, query),
            _ => (Kind.Header, stickyBy.Header ?? RollgateHeaders.SessionId),
        };
    }

    private enum Kind
    {
        Header,
        Cookie,
        Query,
    }

    public ReadOnlySpan<char> Read(HttpRequest request)
    {
        switch (_kind)
        {
            case Kind.Header:
                return First(request.Headers[_name]);
            case Kind.Query:
                return request.QueryString.HasValue ? First(request.Query[_name]) : default;
            default:
                return request.Cookies[_name];
        }
    }

    private static ReadOnlySpan<char> First(StringValues values) => values.Count == 0 ? default : values[0];
}
