using System.Text;
using Rollgate.Quality;

namespace Rollgate.Tests.Quality;

/// <summary>The copy of a sampled request body taken as it is forwarded: whole, once, and started over when the body is rewound for the retry on stable.</summary>
public sealed class RequestCopyStreamTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"Capital of France?"}]}""");

    [Fact]
    public async Task Every_byte_read_is_copied_once_and_a_rewind_starts_the_copy_over()
    {
        using var copy = new BodyCopy();
        await using var stream = new RequestCopyStream(new MemoryStream(Body), copy);
        var buffer = new byte[16];

        Assert.Equal(16, await stream.ReadAsync(buffer));
        stream.Position = 0; // the failed canary attempt read part of it; the stable attempt reads it all
        Assert.True(stream.CanSeek);
        await stream.CopyToAsync(Stream.Null);

        Assert.Equal(Body, copy.ToArray());
        Assert.True(copy.Complete);
    }

    [Fact]
    public void A_body_past_the_limit_is_not_kept_whole()
    {
        using var copy = new BodyCopy();
        using var stream = new RequestCopyStream(new MemoryStream(new byte[BodyCopy.MaxBytes + 1]), copy);

        stream.CopyTo(Stream.Null);

        Assert.False(copy.Complete);
    }
}
