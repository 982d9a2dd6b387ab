namespace Rollgate.Tests.Infrastructure;

/// <summary>Files of the repository the tests run from (found by walking up to Gateway.sln).</summary>
public static class Repository
{
    private static readonly Lazy<string> RootDirectory = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Gateway.sln) was not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootDirectory.Value;

    /// <summary>A path below the repository root, given by its segments.</summary>
    public static string Path(params string[] segments) => System.IO.Path.Combine([Root, .. segments]);
}
