using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy;

namespace Rollgate.Routing;

public static class VersionRoutesReverseProxyBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="VersionRoutes"/> and puts <see cref="VersionRouteLookup"/> in front of YARP's
    /// <see cref="IProxyStateLookup"/>, which it wraps. Call after <c>AddReverseProxy</c>.
    /// </summary>
    public static IReverseProxyBuilder AddVersionRoutes(this IReverseProxyBuilder builder)
    {
        var services = builder.Services;
        var yarp = services.LastOrDefault(d => d.ServiceType == typeof(IProxyStateLookup) && !d.IsKeyedService)
                   ?? throw new InvalidOperationException("AddVersionRoutes needs YARP's IProxyStateLookup: call AddReverseProxy first.");
        Func<IServiceProvider, IProxyStateLookup> inner = yarp switch
        {
            { ImplementationFactory: { } factory } => sp => (IProxyStateLookup)factory(sp),
            { ImplementationInstance: IProxyStateLookup instance } => _ => instance,
            _ => throw new InvalidOperationException("YARP's IProxyStateLookup is registered in a way AddVersionRoutes cannot wrap."),
        };

        services.TryAddSingleton<VersionRoutes>();
        services.Remove(yarp);
        services.AddSingleton<IProxyStateLookup>(sp => new VersionRouteLookup(inner(sp), sp.GetRequiredService<VersionRoutes>()));
        return builder;
    }
}
