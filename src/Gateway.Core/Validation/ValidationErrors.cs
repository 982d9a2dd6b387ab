namespace Rollgate.Validation;

/// <summary>Field problems collected during validation, keyed by the JSON path of the field.</summary>
public sealed class ValidationErrors
{
    /// <summary>
    /// Fields beyond this many are counted, not kept: a 1 MiB body can hold a hundred thousand wrong members, and
    /// the answer listing them all would be many times its size.
    /// </summary>
    public const int MaxFields = 100;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private int _omitted;

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            if (_errors.Count == MaxFields)
            {
                _omitted++;
                return;
            }

            _errors[field] = list = [];
        }

        if (!list.Contains(message))
        {
            list.Add(message); // a member given a thousand times is one problem
        }
    }

    public void Add(ValidationErrors other)
    {
        foreach (var (field, messages) in other._errors)
        {
            foreach (var message in messages)
            {
                Add(field, message);
            }
        }

        _omitted += other._omitted;
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public override string ToString()
    {
        var listed = string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
        return _omitted == 0 ? listed : $"{listed}; and {_omitted} more";
    }
}
