using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Rollgate.Signals;

namespace Rollgate.Tests.Signals;

public sealed class UsageReaderTests
{
    [Theory]
    [InlineData("""{"id":"x","choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":12,"completion_tokens":3}}""", 12, 3)]
    [InlineData("""{"type":"message","usage":{"input_tokens":400,"output_tokens":100},"stop_reason":"end_turn"}""", 400, 100)]
    [InlineData(" {\n \"usage\" :\t{ \"prompt_tokens\" : 7 , \"total_tokens\": 9 } }", 7, 0)]
    [InlineData("""{"usage":{"completion_tokens":5,"details":{"prompt_tokens":99}}}""", 0, 5)]
    // OpenAI's current shape: nested details objects, arrays, strings with brackets, literals, before and after the counts
    [InlineData("""{"usage":{"prompt_tokens_details":{"cached_tokens":0,"audio":[1,{"x":"}]"}]},"prompt_tokens":19,"note":"a \"}\" b","completion_tokens":10,"flag":true,"none":null,"off":false,"total_tokens":29}}""", 19, 10)]
    [InlineData("""{"usage":{"prompt_tokens":12.0,"completion_tokens":1e3,"input_tokens":"7","output_tokens":4}}""", 0, 4)] // integers only
    [InlineData("""{"usage":{"prompt\u005ftokens":5,"completion_tokens":6}}""", 5, 6)] // an escaped key: unescaped as a reader does
    [InlineData("""{"usage":{"prompt_tokens":-0,"completion_tokens":2,"completion_tokens":3}}""", 0, 3)] // the last of a repeated key
    [InlineData("""{"usage":{"prompt_tokens":8,"completion_tokens":9,""", 8, 9)] // cut short after complete pairs
    public void Reads_the_top_level_usage_object(string json, long input, long output)
    {
        Assert.True(UsageReader.TryRead(Encoding.UTF8.GetBytes(json), out var inputTokens, out var outputTokens));
        Assert.Equal((input, output), (inputTokens, outputTokens));
    }

    [Theory]
    [InlineData("""{"choices":[{"usage":{"prompt_tokens":1,"completion_tokens":2}}]}""")] // nested: not the response's usage
    [InlineData("""{"meta":{"usage":{"prompt_tokens":1}},"kind":"usage"}""")] // nested key, then a string value
    [InlineData("""{"text":"say \"usage\": {\"prompt_tokens\": 3}"}""")] // inside a string
    [InlineData("""{"text":"a\\","usage":"none"}""")] // a string value after an escaped backslash
    [InlineData("""[{"usage":{"prompt_tokens":1}}]""")] // the root is an array
    [InlineData("""{"usage":[1,2]}""")]
    [InlineData("""{"usage":{"prompt_tokens":-4}}""")]
    [InlineData("""{"usage":{"prompt_tokens":"12"}}""")]
    [InlineData("""{"usage":{"prompt_tokens":""")]
    [InlineData("""{"usage":{}}""")]
    [InlineData("""{"usage":{"details":{"prompt_tokens":1]},"x":1}}""")] // a bracket closing the wrong kind: malformed
    [InlineData("""}}{"usage":{"prompt_tokens":1}}""")]
    [InlineData("not json at all \"usage\"")]
    [InlineData("")]
    public void Finds_no_usage_where_there_is_no_top_level_usage_object(string json)
    {
        Assert.False(UsageReader.TryRead(Encoding.UTF8.GetBytes(json), out var input, out var output));
        Assert.Equal((0L, 0L), (input, output));
    }

    [Fact]
    public void A_top_level_usage_after_nested_ones_is_found()
    {
        var json = """{"choices":[{"usage":{"prompt_tokens":1}}],"note":"\"usage\":","usage":{"prompt_tokens":20,"output_tokens":4}}"""u8;
        Assert.True(UsageReader.TryRead(json, out var input, out var output));
        Assert.Equal((20L, 4L), (input, output));
    }

    [Theory]
    [InlineData("a \\\"usage\\\": {\\\"prompt_tokens\\\": 3} {[ ", 8)] // a quoted usage, braces and brackets in the text
    [InlineData("ends with an escaped backslash \\\\", 8)]
    public void Long_string_values_are_skipped_whole(string text, long input)
    {
        var filler = string.Concat(Enumerable.Repeat("lorem ipsum {dolor} [sit] amet, ", 20));
        var json = "{\"text\":\"" + filler + text + "\",\"usage\":{\"prompt_tokens\":" + input + "}}";
        Assert.Equal(json, JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.True(UsageReader.TryRead(Encoding.UTF8.GetBytes(json), out var inputTokens, out _));
        Assert.Equal(input, inputTokens);
    }

    /// <summary>Against a reference that parses the whole document, on generated documents with usage keys at any depth.</summary>
    [Fact]
    public void Agrees_with_a_full_parse_on_generated_documents()
    {
        var key = Gen.OneOfConst("usage", "id", "choices", "prompt_tokens", "completion_tokens", "input_tokens", "output_tokens", "us\"age", "text");
        var scalar = Gen.OneOf<JsonNode?>(
            Gen.Long[-5, 5000].Select(n => (JsonNode?)JsonValue.Create(n)),
            Gen.OneOfConst("usage", "\"usage\":", "a\\b", "{\"usage\":{}}", "").Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Const((JsonNode?)null));
        Gen<JsonNode?> Node(int depth) => depth == 0
            ? scalar
            : Gen.Frequency(
                (3, scalar),
                (2, Gen.Select(key, Gen.Int[0, 3]).SelectMany((_, n) => Gen.Select(key.Array[n], Node(depth - 1).Array[n]))
                    .Select(pairs => (JsonNode?)ToObject(pairs.Item1, pairs.Item2))),
                (1, Node(depth - 1).Array[0, 3].Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray()))));
        var tokenKey = Gen.OneOfConst("prompt_tokens", "completion_tokens", "input_tokens", "output_tokens", "total_tokens");
        var usageObject = Gen.Int[0, 3].SelectMany(n => Gen.Select(tokenKey.Array[n], Node(1).Array[n]))
            .Select(pairs => (JsonNode?)ToObject(pairs.Item1, pairs.Item2));
        // Top-level keys from the vocabulary (nested "usage" keys included), plus a top-level usage object half of the time.
        var documents = Gen.Select(key.Array[0, 4], Node(3).Array[4], usageObject, Gen.Bool).Select((keys, values, usage, withUsage) =>
        {
            var document = ToObject(keys, values);
            if (withUsage)
            {
                document["usage"] = usage;
            }

            return document.ToJsonString();
        });

        var withUsage = 0;
        documents.Sample(json =>
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            var expected = Reference(json);
            var found = UsageReader.TryRead(bytes, out var input, out var output);
            Assert.Equal(expected, found ? (input, output) : null);
            if (found)
            {
                Interlocked.Increment(ref withUsage);
            }
        }, iter: 3_000, threads: 1);

        Assert.InRange(withUsage, 100, 2_900); // the generator exercises both outcomes
    }

    private static JsonObject ToObject(string[] keys, JsonNode?[] values)
    {
        var obj = new JsonObject();
        for (var i = 0; i < keys.Length; i++)
        {
            obj[keys[i]] = values[i]?.DeepClone(); // a repeated key keeps the last value, as serialized
        }

        return obj;
    }

    private static (long, long)? Reference(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        long input = 0, output = 0;
        var found = false;
        foreach (var property in usage.EnumerateObject())
        {
            var kind = property.Name is "prompt_tokens" or "input_tokens" ? 1 : property.Name is "completion_tokens" or "output_tokens" ? 2 : 0;
            if (kind != 0 && property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var value) && value >= 0)
            {
                found = true;
                if (kind == 1) input = value;
                else output = value;
            }
        }

        return found ? (input, output) : null;
    }
}
