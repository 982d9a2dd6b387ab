namespace Rollgate.Tests.Infrastructure;

/// <summary>Programs the tests run that the machine must provide; ./test.sh installs them from Debian packages.</summary>
public static class Executables
{
    /// <summary>The full path of <paramref name="name"/> on PATH; fails the test, naming the package, when it is missing.</summary>
    public static string Require(string name, string debianPackage)
        => Find(name) ?? throw new InvalidOperationException(
            $"{name} was not found on PATH. Run ./test.sh, which installs it (or: apt-get install -y --no-install-recommends {debianPackage}).");

    public static string? Find(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
