namespace Rollgate.Stores;

/// <summary>The store cannot be reached; admin writes answer 503 and nothing was changed.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
