namespace Rollgate.Signals;

/// <summary>A frozen <see cref="FigureSummary"/> with a sparse latency histogram: what a stored per-second bucket costs.</summary>
internal sealed class CompactFigures
{
    private long _requests;
    private long _errors;
    private double _cost;
    private double _costSquares;
    private long _inputTokens;
    private long _outputTokens;
    private double _tokensSquares;
    private long _completed;
    private long _failed;
    private short[] _buckets = [];
    private long[] _counts = [];

    public static CompactFigures From(FigureSummary summary)
    {
        var nonZero = summary.Latency.NonZero().ToArray();
        return new CompactFigures
        {
            _requests = summary.Requests,
            _errors = summary.Errors,
            _cost = summary.CostUsd,
            _costSquares = summary.CostUsdSquares,
            _inputTokens = summary.InputTokens,
            _outputTokens = summary.OutputTokens,
            _tokensSquares = summary.TokensSquares,
            _completed = summary.Completed,
            _failed = summary.Failed,
            _buckets = nonZero.Select(b => (short)b.Bucket).ToArray(),
            _counts = nonZero.Select(b => b.Count).ToArray(),
        };
    }

    public void AddTo(FigureSummary target)
    {
        target.Requests += _requests;
        target.Errors += _errors;
        target.CostUsd += _cost;
        target.CostUsdSquares += _costSquares;
        target.InputTokens += _inputTokens;
        target.OutputTokens += _outputTokens;
        target.TokensSquares += _tokensSquares;
        target.Completed += _completed;
        target.Failed += _failed;
        for (var i = 0; i < _buckets.Length; i++)
        {
            target.Latency.Add(_buckets[i], _counts[i]);
        }
    }

    public FigureSummary ToSummary()
    {
        var summary = new FigureSummary();
        AddTo(summary);
        return summary;
    }
}
