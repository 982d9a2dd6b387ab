using Rollgate.Hosting;

try
{
    var app = GatewayHost.Build(args);
    app.Run();
    return 0;
}
catch (StartupException ex)
{
    // An operator fixes a setting or frees a resource: one line naming it says more than a stack trace.
    Console.Error.WriteLine($"rollgate: {ex.Message}");
    return ex.ExitCode;
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // The port was taken between the start-up check and Kestrel's bind.
    Console.Error.WriteLine($"rollgate: {ex.Message}");
    return 1;
}
