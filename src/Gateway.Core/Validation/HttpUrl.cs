namespace Rollgate.Validation;

public static class HttpUrl
{
    public static bool IsAbsoluteHttp(string? value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri)
           && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
           && !string.IsNullOrEmpty(uri.Host)
           && string.IsNullOrEmpty(uri.Fragment);
}
