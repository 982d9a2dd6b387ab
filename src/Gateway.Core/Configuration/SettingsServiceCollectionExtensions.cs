using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rollgate.Json;

namespace Rollgate.Configuration;

public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from the configuration section <paramref name="path"/>, checked by
    /// <typeparamref name="TValidator"/> when the host starts, and lists the section for
    /// <see cref="InvalidSettings.Find"/>. Durations read as <c>500ms</c>, <c>5s</c> or <c>10m</c>.
    /// </summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions, TValidator>(this IServiceCollection services, string path)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>
    {
        DurationTypeConverter.Register();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddSingleton<BoundSection>(new BoundSection<TOptions>(path));
        return services.AddOptions<TOptions>()
            .BindConfiguration(path)
            .ValidateOnStart();
    }
}
