using Rollgate.Configuration;

namespace Rollgate.Signals;

/// <summary>Checks every <see cref="FigureStoreOptions"/> setting, each failure named by its full key.</summary>
public sealed class FigureStoreOptionsValidator() : SettingsValidator<FigureStoreOptions>(FigureStoreOptions.SectionName)
{
    public static readonly TimeSpan MaxMinuteRetention = TimeSpan.FromDays(8);

    protected override void Check(FigureStoreOptions options, SettingChecks checks)
    {
        // A window is read as whole minutes plus edge seconds, so at least a minute of seconds must be kept.
        checks.Within(nameof(FigureStoreOptions.SecondRetention), options.SecondRetention, TimeSpan.FromMinutes(1));
        // Per-minute figures are what drift rules (against previous 24h) compare with: up to a week and a day back.
        checks.Within(nameof(FigureStoreOptions.MinuteRetention), options.MinuteRetention, TimeSpan.FromMinutes(1), MaxMinuteRetention);
        checks.NotLess(nameof(FigureStoreOptions.MinuteRetention), options.MinuteRetention, nameof(FigureStoreOptions.SecondRetention), options.SecondRetention);
    }
}
