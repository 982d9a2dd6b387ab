using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rollgate.Configuration;

namespace Rollgate.Notifications;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers the notifier as a singleton and as the hosted service that stops its senders on shutdown, with its
    /// <see cref="WebhookOptions"/> bound from <c>Rollgate:Webhooks</c> and checked when the host starts. Needs logging
    /// and configuration; uses the registered <see cref="TimeProvider"/>, or the system clock when there is none.
    /// </summary>
    public static IServiceCollection AddWebhookNotifier(this IServiceCollection services)
    {
        services.AddSettings<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WebhookNotifier(
            WebhookNotifier.CreateHttpClient(),
            sp.GetRequiredService<IOptions<WebhookOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WebhookNotifier>>()));
        services.AddHostedService(sp => sp.GetRequiredService<WebhookNotifier>());
        return services;
    }
}
