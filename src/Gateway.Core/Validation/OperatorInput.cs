using System.Text.Json;
using Rollgate.Json;

namespace Rollgate.Validation;

/// <summary>
/// Reads what operators write (admin request bodies, the seed file, version components) into the gateway's types:
/// the shape is checked first so that every problem is reported by JSON path, then the value is read strictly.
/// </summary>
public static class OperatorInput
{
    /// <returns>The value, or the default with the problems added to <paramref name="errors"/> under <paramref name="path"/>.</returns>
    public static T? Read<T>(JsonElement element, string path, ValidationErrors errors)
    {
        var problems = new ValidationErrors();
        JsonShape.Check(element, typeof(T), RollgateJson.Strict, path, problems);
        if (problems.IsEmpty)
        {
            try
            {
                return element.Deserialize<T>(RollgateJson.Strict);
            }
            catch (JsonException ex)
            {
                // The shape check mirrors the serializer's rules, so this is only a last line of defence.
                problems.Add(JsonPath.Field(JsonPath.Append(path, ex.Path)), $"is not valid: expected {JsonShape.Expected(typeof(T), RollgateJson.Strict)}");
            }
        }

        errors.Add(problems);
        return default;
    }
}
