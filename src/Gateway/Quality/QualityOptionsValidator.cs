using Rollgate.Configuration;

namespace Rollgate.Quality;

/// <summary>Checks every <see cref="QualityOptions"/> setting, each failure named by its full key.</summary>
public sealed class QualityOptionsValidator() : SettingsValidator<QualityOptions>(QualityOptions.SectionName)
{
    protected override void Check(QualityOptions options, SettingChecks checks)
    {
        checks.AtLeast(nameof(QualityOptions.QueueCapacity), options.QueueCapacity, 1);
        checks.AtLeast(nameof(QualityOptions.Concurrency), options.Concurrency, 1);
        if (options.Concurrency > 64)
        {
            checks.Fail(nameof(QualityOptions.Concurrency), $"must be at most 64 (it is {options.Concurrency})");
        }

        checks.Within(nameof(QualityOptions.JudgeTimeout), options.JudgeTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
    }
}
