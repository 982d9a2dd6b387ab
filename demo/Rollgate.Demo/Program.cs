using System.Runtime.InteropServices;
using Rollgate.Demo;

// Ctrl-C / SIGTERM cancel the scenario; its finally blocks stop every host and delete the temp data dir.
using var interrupted = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

try
{
    return await DemoScenario.RunAsync(interrupted.Token);
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.WriteLine();
    Console.WriteLine("Interrupted: hosts stopped, temp data deleted.");
    return 130;
}
catch (Exception failure) when (failure is DemoFailure or HttpRequestException)
{
    Console.WriteLine();
    Console.Error.WriteLine($"demo failed: {failure.Message}");
    return 1;
}

void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    interrupted.Cancel();
}
