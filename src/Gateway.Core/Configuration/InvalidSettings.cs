using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rollgate.Configuration;

/// <summary>Start-up's check of every setting, so that one refusal lists every bad value rather than the first.</summary>
public static class InvalidSettings
{
    /// <summary>
    /// Every invalid setting of every section registered with <see cref="SettingsServiceCollectionExtensions.AddSettings"/>,
    /// and of any other options validated on start, each led by its full key; empty when all are valid.
    /// </summary>
    public static IReadOnlyList<string> Find(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var failures = services.GetServices<BoundSection>()
            .DistinctBy(section => (section.OptionsType, section.Path.ToUpperInvariant())) // a type registered twice is checked once
            .SelectMany(section => section.FindInvalid(services))
            .ToList();
        if (failures.Count > 0)
        {
            return failures;
        }

        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            // Several options types failed at once.
            return [.. ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures)];
        }
        catch (InvalidOperationException ex) when (BindingFailure.Describe(ex) is { } failure)
        {
            return [failure];
        }
    }
}
