namespace Rollgate.Validation;

/// <summary>The "did you mean" of a validation message: the known name nearest to a misspelt one.</summary>
public static class ClosestName
{
    /// <summary>
    /// The candidate with the smallest edit distance to <paramref name="name"/>, ignoring case (a wrong capital is the
    /// commonest slip); null when even the nearest differs in more than a third of its letters.
    /// </summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (Math.Abs(name.Length - candidate.Length) > Allowed(candidate))
            {
                continue; // the distance is at least the difference in length
            }

            var distance = EditDistance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Allowed(best) ? best : null;
    }

    private static int Allowed(string candidate) => Math.Max(1, candidate.Length / 3);

    /// <summary>
    /// Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring letters as one edit each
    /// (optimal string alignment), one row at a time.
    /// </summary>
    public static int EditDistance(string a, string b)
    {
        var beforePrevious = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var distance = Math.Min(previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), Math.Min(previous[j], current[j - 1]) + 1);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    distance = Math.Min(distance, beforePrevious[j - 2] + 1);
                }

                current[j] = distance;
            }

            (beforePrevious, previous, current) = (previous, current, beforePrevious);
        }

        return previous[b.Length];
    }
}
