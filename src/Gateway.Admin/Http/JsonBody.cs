using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Rollgate.Validation;

namespace Rollgate.Admin.Http;

/// <summary>Reads an admin request body: at most 1 MiB (413 beyond), strict JSON, and a 400 naming every field that does not fit the body's type.</summary>
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

        JsonDocument document;
        try
        {
            // Syntax first, so "not JSON at all" and "JSON with a wrong field" get different answers.
            document = JsonDocument.Parse(buffer.WrittenMemory);
        }
        catch (JsonException ex)
        {
            return (null, AdminProblems.Problem(StatusCodes.Status400BadRequest, "malformed-json", "Malformed JSON",
                $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {JsonPath.WithoutPosition(ex.Message)}"));
        }

        using (document)
        {
            var errors = new ValidationErrors();
            var value = OperatorInput.Read<T>(document.RootElement, "", errors);
            return errors.IsEmpty ? (value, null) : (null, AdminProblems.Validation(errors));
        }
    }

    private static IResult TooLarge()
        => AdminProblems.Problem(StatusCodes.Status413PayloadTooLarge, "body-too-large", "Request body too large", $"Admin request bodies are limited to {MaxBytes} bytes.");
}
