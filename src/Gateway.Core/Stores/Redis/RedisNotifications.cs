using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// A pub/sub "something changed" signal for watchers that re-read everything they need when told (tools, circuits).
/// Pub/sub is at-most-once, so the watcher is also told after every reconnect; watchers that must never miss a change
/// also re-read on a timer of their own.
/// </summary>
internal static partial class RedisNotifications
{
    public static IDisposable Subscribe(IConnectionMultiplexer connection, RedisChannel channel, Action onChange, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var subscriber = connection.GetSubscriber();
        Action<RedisChannel, RedisValue> handler = (_, _) => Notify(onChange, logger, channel);
        EventHandler<ConnectionFailedEventArgs> restored = (_, _) => Notify(onChange, logger, channel);
        connection.ConnectionRestored += restored;
        _ = SubscribeAsync(subscriber, channel, handler, logger);
        return new Unsubscriber(() =>
        {
            connection.ConnectionRestored -= restored;
            try
            {
                subscriber.Unsubscribe(channel, handler, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
            {
                // A closed connection has dropped the subscription already.
            }
        });
    }

    private static async Task SubscribeAsync(ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> handler, ILogger logger)
    {
        try
        {
            await subscriber.SubscribeAsync(channel, handler);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The library re-subscribes on reconnect (and the watcher is told then); until that, its timer covers.
            LogSubscribeFailed(logger, ex, channel.ToString());
        }
    }

    private static void Notify(Action onChange, ILogger logger, RedisChannel channel)
    {
        try
        {
            onChange();
        }
        catch (Exception ex)
        {
            LogWatcherFailed(logger, ex, channel.ToString());
        }
    }

    [LoggerMessage(430, LogLevel.Warning, "Subscribing to {Channel} failed; it is retried when Redis is reachable again")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(431, LogLevel.Error, "A watcher of {Channel} failed")]
    private static partial void LogWatcherFailed(ILogger logger, Exception exception, string channel);
}
