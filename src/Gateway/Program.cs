using Rollgate.Hosting;

try
{
    var app = GatewayHost.Build(args);
    app.Run();
    return 0;
}
catch (InvalidOperationException ex)
{
    // Configuration and start-up problems (data directory in use, bad config) deserve one clear line, not a stack trace.
    Console.Error.WriteLine($"rollgate: {ex.Message}");
    return 2;
}
