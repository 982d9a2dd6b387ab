namespace Rollgate.Fleet;

/// <summary>Periodic work that exactly one replica of the fleet does: the holder of the controller lease.</summary>
public interface IControllerTask
{
    Task RunAsync(CancellationToken cancellationToken);
}
