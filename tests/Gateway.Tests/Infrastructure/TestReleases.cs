using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rollgate.Release;
using Rollgate.Stores;

namespace Rollgate.Tests.Infrastructure;

public static class TestReleases
{
    /// <summary>The release commands over <paramref name="store"/>, applied by an <see cref="ImmediateApplier"/>.</summary>
    public static ReleaseCommands Commands(IRollgateStore store, TimeProvider time, ILogger<ReleaseCommands>? logger = null)
        => new(new ReleaseManager(store, new ImmediateApplier(store, time), time, NullLogger<ReleaseManager>.Instance), logger ?? NullLogger<ReleaseCommands>.Instance);
}
