namespace Rollgate.Hosting;

/// <summary>
/// A reason the gateway cannot start that an operator fixes without reading a stack trace: an invalid setting
/// (<see cref="InvalidSetting"/>, exit code 2) or an environment that refuses it, such as a port in use or a data
/// directory locked by another process (<see cref="Unavailable"/>, exit code 1).
/// </summary>
public sealed class StartupException : Exception
{
    private StartupException(string message, int exitCode, Exception? inner)
        : base(message, inner) => ExitCode = exitCode;

    /// <summary>The process exit code: 2 for a setting to correct, 1 for a resource that is not available.</summary>
    public int ExitCode { get; }

    public static StartupException InvalidSetting(string message, Exception? inner = null) => new(message, 2, inner);

    public static StartupException Unavailable(string message, Exception? inner = null) => new(message, 1, inner);
}
