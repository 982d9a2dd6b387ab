using Microsoft.Extensions.Options;
using Rollgate.Configuration;

namespace Rollgate.Signals;

/// <summary>Checks every <see cref="RequestLedgerOptions"/> setting, each failure named by its full key.</summary>
public sealed class RequestLedgerOptionsValidator : IValidateOptions<RequestLedgerOptions>
{
    // A lookup reads one Redis hash per hour of retention, so a week (169 reads) is the most that stays one quick round trip.
    private static readonly TimeSpan MaxRetention = TimeSpan.FromDays(7);

    public ValidateOptionsResult Validate(string? name, RequestLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checks = new SettingChecks(RequestLedgerOptions.SectionName);
        checks.Within(nameof(RequestLedgerOptions.Retention), options.Retention, TimeSpan.FromMinutes(1), MaxRetention);
        checks.AtLeast(nameof(RequestLedgerOptions.Capacity), options.Capacity, 1);
        checks.AtLeast(nameof(RequestLedgerOptions.BufferCapacity), options.BufferCapacity, 1);
        checks.AtLeast(nameof(RequestLedgerOptions.MaxStoredIdLength), options.MaxStoredIdLength, 1);
        checks.AtLeast(nameof(RequestLedgerOptions.FlushBatch), options.FlushBatch, 1);
        return checks.Result;
    }

    /// <summary>Throws when the options are invalid, for callers that construct them in code.</summary>
    internal static void ThrowIfInvalid(RequestLedgerOptions options) => SettingChecks.ThrowIfInvalid(new RequestLedgerOptionsValidator(), options);
}
