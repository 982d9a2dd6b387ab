using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rollgate.Hosting;

namespace Rollgate.Tests.Hosting;

public sealed class MaxRequestBodySizeOptionTests
{
    /// <summary>Binds and checks the settings the way <see cref="GatewayHost.Build"/> does.</summary>
    private static RollgateOptions Read(string? value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(value is null ? [] : [new KeyValuePair<string, string?>("Rollgate:MaxRequestBodySize", value)])
            .Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddGatewaySettings().BuildServiceProvider();
        GatewaySettings.ThrowIfInvalid(services);
        return services.GetRollgateOptions();
    }

    [Fact]
    public void Defaults_to_kestrels_30_million_bytes_and_takes_a_number_of_bytes()
    {
        Assert.Equal(30_000_000, Read(null).MaxRequestBodySize);
        Assert.Equal(104_857_600, Read("104857600").MaxRequestBodySize);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("30MB")]
    [InlineData("1.5")]
    public void Anything_but_a_positive_number_of_bytes_stops_start_up_naming_the_key(string value)
    {
        var error = Assert.Throws<StartupException>(() => Read(value));

        Assert.Contains("Rollgate:MaxRequestBodySize", error.Message);
    }
}
