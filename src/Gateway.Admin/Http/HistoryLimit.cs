using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Rollgate.Admin.Http;

/// <summary>The <c>limit</c> query parameter of the history calls.</summary>
public static class HistoryLimit
{
    public const int Default = 100;
    public const int Max = 10_000;

    /// <summary>The parameter as the API description explains it.</summary>
    public const string Description = "How many events, from 1 to 10000; default 100.";

    /// <param name="text">The <c>limit</c> query parameter; null or empty for the default.</param>
    /// <returns>The limit, or a problem naming the parameter.</returns>
    public static (int Limit, IResult? Error) Read(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (Default, null);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= Max
            ? (limit, null)
            : (0, AdminProblems.Validation(AdminProblems.Single("limit", $"must be an integer from 1 to {Max}")));
    }
}
