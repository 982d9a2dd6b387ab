using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Rollgate.Json;

namespace Rollgate.Admin.Http;

/// <summary>Reads an admin request body: at most 1 MiB (413 beyond), strict JSON, and a field-level 400 for type errors.</summary>
public static class JsonBody
{
    public const int MaxBytes = 1024 * 1024;

    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context, bool allowEmpty = false)
        where T : class
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        var buffer = new ArrayBufferWriter<byte>();
        var body = context.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await body.ReadAsync(memory, context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBytes)
            {
                return (null, TooLarge());
            }
        }

        if (buffer.WrittenCount == 0)
        {
            return allowEmpty
                ? (null, null)
                : (null, AdminProblems.Problem(StatusCodes.Status400BadRequest, "malformed-json", "Malformed JSON", "The request body must be a JSON object."));
        }

        try
        {
            // Syntax first, so "not JSON at all" and "JSON with a wrong field" get different answers.
            using var syntax = JsonDocument.Parse(buffer.WrittenMemory);
        }
        catch (JsonException ex)
        {
            return (null, AdminProblems.Problem(StatusCodes.Status400BadRequest, "malformed-json", "Malformed JSON",
                $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {Clean(ex.Message)}"));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.WrittenSpan, RollgateJson.Strict);
            return value is null
                ? (null, AdminProblems.Problem(StatusCodes.Status400BadRequest, "malformed-json", "Malformed JSON", "The request body must be a JSON object, not null."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path.TrimStart('$', '.');
            var message = ex.InnerException?.Message ?? ex.Message;
            return (null, AdminProblems.Validation(AdminProblems.Single(field, Clean(message))));
        }
    }

    private static IResult TooLarge()
        => AdminProblems.Problem(StatusCodes.Status413PayloadTooLarge, "body-too-large", "Request body too large", $"Admin request bodies are limited to {MaxBytes} bytes.");

    /// <summary>System.Text.Json messages mention CLR types; keep the part an operator can act on.</summary>
    private static string Clean(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
