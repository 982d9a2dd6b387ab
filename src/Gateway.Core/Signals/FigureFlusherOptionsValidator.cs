using Microsoft.Extensions.Options;
using Rollgate.Configuration;

namespace Rollgate.Signals;

/// <summary>Checks every <see cref="FigureFlusherOptions"/> setting, each failure named by its full key.</summary>
public sealed class FigureFlusherOptionsValidator : IValidateOptions<FigureFlusherOptions>
{
    public ValidateOptionsResult Validate(string? name, FigureFlusherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checks = new SettingChecks(FigureFlusherOptions.SectionName);
        checks.Within(nameof(FigureFlusherOptions.MaxPendingAge), options.MaxPendingAge, TimeSpan.FromSeconds(1));
        checks.AtLeast(nameof(FigureFlusherOptions.MaxPendingDeltas), options.MaxPendingDeltas, 1);
        return checks.Result;
    }

    /// <summary>Throws when the options are invalid, for callers that construct them in code.</summary>
    internal static void ThrowIfInvalid(FigureFlusherOptions options) => SettingChecks.ThrowIfInvalid(new FigureFlusherOptionsValidator(), options);
}
