using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rollgate.Configuration;

/// <summary>A configuration section bound to an options type with <see cref="SettingsServiceCollectionExtensions.AddSettings"/>.</summary>
public abstract class BoundSection(string path)
{
    /// <summary>The section's key, such as <c>Rollgate:Webhooks</c>.</summary>
    public string Path { get; } = path;

    /// <summary>The options type the section is bound to; two types may share a section.</summary>
    public abstract Type OptionsType { get; }

    /// <summary>Every setting of the section that is invalid, each led by its full key; empty when all are valid.</summary>
    public abstract IReadOnlyList<string> FindInvalid(IServiceProvider services);
}

/// <inheritdoc />
internal sealed class BoundSection<TOptions>(string path) : BoundSection(path)
    where TOptions : class, new()
{
    public override Type OptionsType => typeof(TOptions);

    public override IReadOnlyList<string> FindInvalid(IServiceProvider services)
    {
        try
        {
            _ = services.GetRequiredService<IOptions<TOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
        catch (InvalidOperationException ex) when (BindingFailure.Describe(ex) is not null)
        {
            return FindInvalidSettingBySetting(services);
        }
    }

    /// <summary>
    /// The binder stops at the first value it cannot convert. To still report every bad value, each setting is bound
    /// on its own, and the validators check what converted; their complaints about a setting that did not convert (it
    /// holds its default) are left out.
    /// </summary>
    private List<string> FindInvalidSettingBySetting(IServiceProvider services)
    {
        var section = services.GetRequiredService<IConfiguration>().GetSection(Path);
        var options = new TOptions();
        var failures = new List<string>();
        var unconverted = new List<string>();
        foreach (var property in typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var setting = section.GetSection(property.Name);
            if (property.SetMethod is not { IsPublic: true } || !setting.Exists())
            {
                continue;
            }

            try
            {
                property.SetValue(options, setting.Get(property.PropertyType));
            }
            catch (InvalidOperationException ex) when (BindingFailure.Describe(ex) is { } failure)
            {
                failures.Add(failure);
                unconverted.Add(setting.Path + " ");
            }
        }

        foreach (var validator in services.GetServices<IValidateOptions<TOptions>>())
        {
            var result = validator.Validate(Options.DefaultName, options);
            if (result.Failed)
            {
                failures.AddRange(result.Failures.Where(f => !unconverted.Any(key => f.Contains(key, StringComparison.OrdinalIgnoreCase))));
            }
        }

        return failures;
    }
}
