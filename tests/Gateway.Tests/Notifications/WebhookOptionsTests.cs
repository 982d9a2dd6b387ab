using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rollgate.Notifications;

namespace Rollgate.Tests.Notifications;

public sealed class WebhookOptionsTests
{
    [Fact]
    public void Settings_are_bound_from_the_Rollgate_Webhooks_section()
    {
        using var host = BuildHost(new()
        {
            ["Rollgate:Webhooks:QueueCapacity"] = "50",
            ["Rollgate:Webhooks:MaxAttempts"] = "6",
            ["Rollgate:Webhooks:AttemptTimeout"] = "2s",
            ["Rollgate:Webhooks:BaseBackoff"] = "250ms",
            ["Rollgate:Webhooks:MaxBackoff"] = "00:00:10",
            ["Rollgate:Webhooks:RetryAfterCap"] = "00:02:00",
            ["Rollgate:Webhooks:IdleTimeout"] = "00:01:00",
        });

        var options = host.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;

        Assert.Equal(50, options.QueueCapacity);
        Assert.Equal(6, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.AttemptTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.BaseBackoff);
        Assert.Equal(TimeSpan.FromSeconds(10), options.MaxBackoff);
        Assert.Equal(TimeSpan.FromMinutes(2), options.RetryAfterCap);
        Assert.Equal(TimeSpan.FromMinutes(1), options.IdleTimeout);
    }

    [Fact]
    public async Task The_defaults_start()
    {
        using var host = BuildHost([]);

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(4, host.Services.GetRequiredService<IOptions<WebhookOptions>>().Value.MaxAttempts);
    }

    [Fact]
    public async Task Every_bad_value_stops_the_host_named_by_its_full_key()
    {
        using var host = BuildHost(new()
        {
            ["Rollgate:Webhooks:QueueCapacity"] = "0",
            ["Rollgate:Webhooks:MaxAttempts"] = "0",
            ["Rollgate:Webhooks:AttemptTimeout"] = "00:00:00.005",
            ["Rollgate:Webhooks:BaseBackoff"] = "00:00:10",
            ["Rollgate:Webhooks:MaxBackoff"] = "00:00:05",
            ["Rollgate:Webhooks:RetryAfterCap"] = "-00:00:01",
            ["Rollgate:Webhooks:IdleTimeout"] = "2.00:00:00",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "Rollgate:Webhooks:QueueCapacity must be at least 1 (it is 0)",
                "Rollgate:Webhooks:MaxAttempts must be at least 1 (it is 0)",
                "Rollgate:Webhooks:AttemptTimeout must be from 00:00:00.0100000 to 1.00:00:00 (it is 00:00:00.0050000)",
                "Rollgate:Webhooks:MaxBackoff must not be less than Rollgate:Webhooks:BaseBackoff (it is 00:00:05, below 00:00:10)",
                "Rollgate:Webhooks:RetryAfterCap must be from 00:00:00 to 1.00:00:00 (it is -00:00:01)",
                "Rollgate:Webhooks:IdleTimeout must be from 00:00:00.0010000 to 1.00:00:00 (it is 2.00:00:00)",
            ],
            error.Failures);
    }

    [Fact]
    public void Options_built_in_code_are_checked_the_same_way()
    {
        using var http = new HttpClient();

        var error = Assert.Throws<OptionsValidationException>(() =>
            new WebhookNotifier(http, new WebhookOptions { MaxAttempts = 0 }, TimeProvider.System, new ListLogger<WebhookNotifier>()));

        Assert.Equal(["Rollgate:Webhooks:MaxAttempts must be at least 1 (it is 0)"], error.Failures);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddWebhookNotifier();
        return builder.Build();
    }
}
