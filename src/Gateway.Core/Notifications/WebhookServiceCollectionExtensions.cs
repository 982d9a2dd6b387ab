using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Rollgate.Notifications;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers the notifier as a singleton and as the hosted service that stops its senders on shutdown.
    /// Needs logging; uses the registered <see cref="TimeProvider"/>, or the system clock when there is none.
    /// </summary>
    public static IServiceCollection AddWebhookNotifier(this IServiceCollection services, WebhookOptions? options = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WebhookNotifier(
            WebhookNotifier.CreateHttpClient(),
            options ?? new WebhookOptions(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WebhookNotifier>>()));
        services.AddHostedService(sp => sp.GetRequiredService<WebhookNotifier>());
        return services;
    }
}
