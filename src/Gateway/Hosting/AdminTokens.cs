using System.Security.Cryptography;
using Rollgate.Security;

namespace Rollgate.Hosting;

/// <summary>
/// Builds the token registry. With no token configured, one is generated at first start and kept in
/// <c>{DataDir}/admin-token</c> (mode 0600); its path is logged, never its value.
/// </summary>
public static partial class AdminTokens
{
    public const string AdminName = "admin";

    public static TokenRegistry Create(RollgateOptions options, ILogger logger)
    {
        var tokens = options.Tokens.Select(entry => entry.Value.ToApiToken(entry.Key)).ToList();
        if (!string.IsNullOrEmpty(options.AdminToken))
        {
            tokens.Add(new ApiToken(AdminName, options.AdminToken, TokenRole.Operator));
        }

        if (tokens.Count == 0)
        {
            tokens.Add(new ApiToken(AdminName, ReadOrCreateTokenFile(options.DataDir, logger), TokenRole.Operator));
        }

        return new TokenRegistry(tokens);
    }

    private static string ReadOrCreateTokenFile(string dataDir, ILogger logger)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.GetFullPath(Path.Combine(dataDir, "admin-token"));
        if (File.Exists(path))
        {
            LogTokenRead(logger, path);
            return File.ReadAllText(path).Trim();
        }

        var token = "rg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, fileOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(token);
        }

        LogTokenGenerated(logger, path);
        return token;
    }

    [LoggerMessage(600, LogLevel.Information, "Admin token read from {Path}")]
    private static partial void LogTokenRead(ILogger logger, string path);

    [LoggerMessage(601, LogLevel.Warning, "No admin token configured: generated one and stored it in {Path} (mode 0600)")]
    private static partial void LogTokenGenerated(ILogger logger, string path);
}
