using Microsoft.Extensions.Options;

namespace Rollgate.Configuration;

/// <summary>
/// The validator of one section's options: <see cref="Check"/> reports every bad value through
/// <see cref="SettingChecks"/>, each by its full key, so an operator fixes them all in one go.
/// </summary>
public abstract class SettingsValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checks = new SettingChecks(section);
        Check(options, checks);
        return checks.Result;
    }

    /// <summary>For options built in code rather than bound: the same checks, thrown as the options framework would.</summary>
    /// <exception cref="OptionsValidationException">Some setting is invalid.</exception>
    public void ThrowIfInvalid(TOptions options)
    {
        var result = Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures);
        }
    }

    protected abstract void Check(TOptions options, SettingChecks checks);
}
