using Rollgate.Signals;

namespace Rollgate.Quality;

/// <summary>
/// One sampled answer waiting for the judge: the client's chat request and the answer as they went over the wire,
/// read only by the judge worker (off the request path).
/// </summary>
/// <param name="Request">The client's chat request body (its <c>messages</c> are the conversation).</param>
/// <param name="Answer">The answer's body: a chat completion, or a stream of completion chunks when <paramref name="Streamed"/>.</param>
public sealed record JudgeSample(QualityPlan Plan, VersionSignals Signals, string Version, byte[] Request, byte[] Answer, bool Streamed);
