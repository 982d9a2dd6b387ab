using Rollgate.Configuration;

namespace Rollgate.Signals;

/// <summary>Checks every <see cref="FigureFlusherOptions"/> setting, each failure named by its full key.</summary>
public sealed class FigureFlusherOptionsValidator() : SettingsValidator<FigureFlusherOptions>(FigureFlusherOptions.SectionName)
{
    protected override void Check(FigureFlusherOptions options, SettingChecks checks)
    {
        checks.Within(nameof(FigureFlusherOptions.MaxPendingAge), options.MaxPendingAge, TimeSpan.FromSeconds(1));
        checks.AtLeast(nameof(FigureFlusherOptions.MaxPendingDeltas), options.MaxPendingDeltas, 1);
    }
}
