using Microsoft.Extensions.Options;

namespace Rollgate.Configuration;

/// <summary>
/// Collects what is wrong with one section's settings, each failure led by its full configuration key, so that a
/// validator reports every bad value at once (see <see cref="SettingsValidator{TOptions}"/>).
/// </summary>
public sealed class SettingChecks(string section)
{
    /// <summary>The shortest period of a timer: durations that drive one must be at least this.</summary>
    public static readonly TimeSpan MinPeriod = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest duration any setting takes: timers and Polly accept no more.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    private readonly List<string> _failures = [];

    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    /// <summary>The full key of a setting of this section, such as <c>Rollgate:Webhooks:MaxAttempts</c>.</summary>
    public string Key(string property) => $"{section}:{property}";

    /// <param name="problem">What is wrong, worded to follow the key (<c>must be …</c>).</param>
    public void Fail(string property, string problem) => _failures.Add($"{Key(property)} {problem}");

    public void Present(string property, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Fail(property, "is missing");
        }
    }

    public void AtLeast(string property, long value, long min)
    {
        if (value < min)
        {
            Fail(property, $"must be at least {min} (it is {value})");
        }
    }

    /// <summary>A duration from <paramref name="min"/> to <paramref name="max"/> (default <see cref="MaxDuration"/>).</summary>
    public void Within(string property, TimeSpan value, TimeSpan min, TimeSpan? max = null)
    {
        var upper = max ?? MaxDuration;
        if (value < min || value > upper)
        {
            Fail(property, $"must be from {min:c} to {upper:c} (it is {value:c})");
        }
    }

    /// <summary>A duration that must not be shorter than another setting of the section.</summary>
    public void NotLess(string property, TimeSpan value, string other, TimeSpan otherValue)
    {
        if (value < otherValue)
        {
            Fail(property, $"must not be less than {Key(other)} (it is {value:c}, below {otherValue:c})");
        }
    }
}
