using Rollgate.Configuration;

namespace Rollgate.Signals;

/// <summary>Checks every <see cref="RequestLedgerOptions"/> setting, each failure named by its full key.</summary>
public sealed class RequestLedgerOptionsValidator() : SettingsValidator<RequestLedgerOptions>(RequestLedgerOptions.SectionName)
{
    // A lookup reads one Redis hash per hour of retention, so a week (169 reads) is the most that stays one quick round trip.
    private static readonly TimeSpan MaxRetention = TimeSpan.FromDays(7);

    protected override void Check(RequestLedgerOptions options, SettingChecks checks)
    {
        checks.Within(nameof(RequestLedgerOptions.Retention), options.Retention, TimeSpan.FromMinutes(1), MaxRetention);
        checks.AtLeast(nameof(RequestLedgerOptions.Capacity), options.Capacity, 1);
        checks.AtLeast(nameof(RequestLedgerOptions.BufferCapacity), options.BufferCapacity, 1);
        checks.AtLeast(nameof(RequestLedgerOptions.MaxStoredIdLength), options.MaxStoredIdLength, 1);
        checks.AtLeast(nameof(RequestLedgerOptions.FlushBatch), options.FlushBatch, 1);
    }
}
