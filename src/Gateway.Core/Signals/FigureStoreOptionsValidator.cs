using Microsoft.Extensions.Options;
using Rollgate.Configuration;

namespace Rollgate.Signals;

/// <summary>Checks every <see cref="FigureStoreOptions"/> setting, each failure named by its full key.</summary>
public sealed class FigureStoreOptionsValidator : IValidateOptions<FigureStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FigureStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checks = new SettingChecks(FigureStoreOptions.SectionName);
        // A window is read as whole minutes plus edge seconds, so at least a minute of seconds must be kept.
        checks.Within(nameof(FigureStoreOptions.SecondRetention), options.SecondRetention, TimeSpan.FromMinutes(1));
        checks.Within(nameof(FigureStoreOptions.MinuteRetention), options.MinuteRetention, TimeSpan.FromMinutes(1));
        checks.NotLess(nameof(FigureStoreOptions.MinuteRetention), options.MinuteRetention, nameof(FigureStoreOptions.SecondRetention), options.SecondRetention);
        return checks.Result;
    }

    /// <summary>Throws when the options are invalid, for callers that construct them in code.</summary>
    internal static void ThrowIfInvalid(FigureStoreOptions options) => SettingChecks.ThrowIfInvalid(new FigureStoreOptionsValidator(), options);
}
