namespace Rollgate.Validation;

public static class HttpUrl
{
    /// <summary>Null when <paramref name="value"/> is an absolute http(s) URL with a host and a port a connection can be made to; otherwise what is wrong with it.</summary>
    public static string? Problem(string? value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.Fragment))
        {
            return "must be an absolute http or https URL";
        }

        return uri.Port == 0 ? "must name a port from 1 to 65535, not 0" : null;
    }

    /// <summary>True when the URL carries <c>user:password@</c> (or just <c>user@</c>) before its host.</summary>
    public static bool HasUserInfo(string value) => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0;
}
