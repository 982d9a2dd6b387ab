using System.IO.Compression;
using System.Security.Cryptography;

namespace Rollgate.Admin.WebConsole;

/// <summary>
/// One file of the console, held in memory as shipped and compressed once (Brotli and gzip), with an ETag of its
/// content so that a browser revalidates instead of downloading it again.
/// </summary>
internal sealed class ConsoleAsset
{
    private readonly Lazy<byte[]> _brotli;
    private readonly Lazy<byte[]> _gzip;

    public ConsoleAsset(string path, byte[] content)
    {
        Path = path;
        Content = content;
        ContentType = ContentTypeOf(path);
        ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
        _brotli = new Lazy<byte[]>(() => Compress(content, s => new BrotliStream(s, CompressionLevel.SmallestSize)));
        _gzip = new Lazy<byte[]>(() => Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize)));
    }

    /// <summary>The path below the console's root, such as <c>js/app.js</c>.</summary>
    public string Path { get; }
    public byte[] Content { get; }
    public string ContentType { get; }
    public string ETag { get; }
    public byte[] Brotli => _brotli.Value;
    public byte[] Gzip => _gzip.Value;

    private static string ContentTypeOf(string path) => System.IO.Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private static byte[] Compress(byte[] content, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(content);
        }

        return output.ToArray();
    }
}
