using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Admin;

/// <summary>
/// Random JSON thrown at every admin endpoint that reads a body, on the real gateway: random trees, and valid bodies
/// with one member replaced by null, a value of another kind, a huge number, deep nesting or invalid text, renamed or
/// given twice, so that the deep paths of definitions and manifests are reached. Whatever arrives, the answer is never
/// a 5xx, a refusal is problem+json naming no .NET type, and a refused call leaves the agent, its versions and its
/// history as they were; what is accepted can still be listed.
/// </summary>
public sealed class AdminFuzzTests : IAsyncLifetime
{
    private const string Agent = "fuzz-bot";

    /// <summary>Raw bytes that are not UTF-8, put in place of this marker after the body is encoded.</summary>
    private const string InvalidUtf8Marker = "\u0001invalid-utf8\u0001";

    private static readonly byte[] InvalidUtf8 = [0xC3, 0x28, 0xFF];

    private GatewayInstance _gateway = null!;
    private TestBackend _backend = null!;
    private Target[] _targets = [];

    /// <param name="Method">The method of the endpoint.</param>
    /// <param name="Path">The endpoint.</param>
    /// <param name="ValidBody">What the mutations start from.</param>
    /// <param name="Weight">How often the endpoint is drawn: bodies with more members have more places to go wrong.</param>
    /// <param name="Strings">False where a well-formed string is not a validation matter and takes seconds to answer
    /// (an unknown request id is looked for in the other replicas' ledgers before the 404).</param>
    private sealed record Target(HttpMethod Method, string Path, string ValidBody, int Weight = 1, bool Strings = true);

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        _backend = await TestBackend.StartAsync("fuzz");
        var definition = """
            {"pathPrefix":"/agents/fuzz-bot","hosts":[],"stickyBy":{"header":"X-Session-Id"},"mode":"passthrough",
             "rules":["rollback when error_rate > 15% over 1m for 2m","rollback when cost_per_request > 3x baseline over 5m"],
             "rollout":{"steps":[5,25,50,100],"stepDuration":"10m"},"bakeTime":"1h","webhooks":["http://127.0.0.1:9/hooks"],
             "degradation":[{"tool":"refund","routeTo":1}]}
            """;
        var manifest = """
            {"basedOn":1,"prompt":{"system":"You are terse.","fewShot":[{"role":"user","content":"hi"}],"format":"markdown"},
             "model":{"provider":"openai","name":"gpt-test","temperature":0.2,"maxTokens":1024,"stop":["\n\n"],
                      "fallbacks":[{"name":"gpt-small","endpoint":"http://127.0.0.1:9/v1","apiKeyEnv":"SMALL_KEY","pricing":{"inputPerMTok":0.5,"outputPerMTok":1}}],
                      "pricing":{"inputPerMTok":2.5,"outputPerMTok":10},"apiKeyEnv":"OPENAI_API_KEY","endpoint":"http://127.0.0.1:9/v1"},
             "tools":[{"name":"refund","description":"Refunds an order","parameters":{"type":"object","required":["order"]}}],
             "guardrails":{"input":{"maxChars":4000,"deny":["ssn"]}},"knowledge":{"index":"kb-support","indexedAt":"2025-02-18"},
             "backend":{"destinations":["BACKEND"],"timeout":"5s"},"notes":"fuzz"}
            """.Replace("BACKEND", _backend.Url, StringComparison.Ordinal);
        await GatewayInstance.EnsureAsync(await _gateway.Admin.PutAsync($"/admin/agents/{Agent}", GatewayInstance.Json(definition)));
        var version = await _gateway.CreateVersionAsync(Agent, _backend.Url);
        await _gateway.DeployAsync(Agent, version);
        var served = await _gateway.Proxy.GetAsync($"/agents/{Agent}/hello");
        var requestId = served.Headers.GetValues(RollgateHeaders.RequestId).Single();

        var at = $"/admin/agents/{Agent}";
        _targets =
        [
            new(HttpMethod.Put, at, definition, Weight: 4),
            new(HttpMethod.Post, $"{at}/versions", manifest, Weight: 6),
            new(HttpMethod.Post, $"{at}/deployments", """{"version":1,"strategy":"canary","steps":[5,25,50,100],"stepDuration":"10m"}""", Weight: 2),
            new(HttpMethod.Post, $"{at}/weight", """{"canaryPercent":12.5}"""),
            new(HttpMethod.Post, $"{at}/rollback", """{"to":1,"reason":"fuzz"}"""),
            new(HttpMethod.Post, $"{at}/pause", """{"reason":"fuzz"}"""),
            new(HttpMethod.Post, $"{at}/outcomes", $$"""{"requestId":"{{requestId}}","outcome":"completed"}""", Strings: false),
        ];
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Hostile_bodies_never_fail_the_gateway_and_refusals_change_nothing()
    {
        var bodies = Gen.FrequencyConst([.. _targets.Select((t, i) => (t.Weight, i))]).SelectMany(i => Gen.Frequency(
            (1, Tree(depth: 4)),
            (4, Mutated(_targets[i]))).Select(body => (Target: i, Body: body)));

        await bodies.SampleAsync(
            sample => AssertHandledAsync(_targets[sample.Target], sample.Body),
            time: 4,
            threads: 1,
            print: sample => $"{_targets[sample.Target].Method} {_targets[sample.Target].Path} {sample.Body}");
    }

    private async Task AssertHandledAsync(Target target, string body)
    {
        var before = await SnapshotAsync();
        var content = new ByteArrayContent(Encode(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _gateway.Admin.SendAsync(new HttpRequestMessage(target.Method, target.Path) { Content = content });
        var answer = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;

        Assert.True(status < 500, $"{status} from {target.Method} {target.Path}: {answer}");
        if (status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            AdminValidationTests.AssertNamesNoDotNetType(answer);
            Assert.Equal(before, await SnapshotAsync());
        }
        else
        {
            // Whatever was accepted is stored in a form the gateway can list and serve back.
            await SnapshotAsync();
        }
    }

    /// <summary>The agent (without rule states, which are re-evaluated every second), its versions and its history.</summary>
    private async Task<string> SnapshotAsync()
    {
        var agent = JsonNode.Parse(await _gateway.Admin.GetStringAsync($"/admin/agents/{Agent}"))!.AsObject();
        agent.Remove("rules");
        return agent.ToJsonString()
               + await _gateway.Admin.GetStringAsync($"/admin/agents/{Agent}/versions")
               + await _gateway.Admin.GetStringAsync($"/admin/agents/{Agent}/history");
    }

    // ---- generators: JSON text, so that what a serializer would never write (1e400, "\ud800", duplicates) is written too ----

    private static readonly string[] KnownNames =
    [
        "pathPrefix", "hosts", "stickyBy", "header", "cookie", "query", "mode", "rules", "rollout", "steps", "stepDuration",
        "bakeTime", "webhooks", "degradation", "tool", "routeTo", "basedOn", "prompt", "system", "fewShot", "format", "model",
        "provider", "name", "temperature", "maxTokens", "stop", "fallbacks", "pricing", "inputPerMTok", "outputPerMTok",
        "apiKeyEnv", "endpoint", "tools", "description", "parameters", "guardrails", "knowledge", "backend", "destinations",
        "timeout", "notes", "version", "strategy", "canaryPercent", "to", "reason", "requestId", "outcome", "apiKey",
    ];

    private static readonly Gen<string> RandomText = Gen.Char[' ', '\uFFFF'].Array[0, 12].Select(chars => new string(chars));

    private static readonly Gen<string> Key = Gen.Frequency((3, Gen.OneOfConst(KnownNames)), (1, RandomText));

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (4, Gen.OneOfConst(
            "null", "true", "false", "0", "-1", "1", "1.5", "100", "101", "-0", "1e400", "-1e400", "1e-400", "2147483648",
            "9223372036854775808", "123456789012345678901234567890", "\"\"", "\" \"", "\"x\"", "\"\\ud800\"", "\"a\\udc00b\"",
            "\"a\\u0000b\"", "\"10m\"", "\"0s\"", "\"500ms\"", "\"999999999h\"", "\"/admin/x\"", "\"/a/../b\"", "\"http://user:pw@127.0.0.1:9\"",
            "\"http://127.0.0.1:0\"", "\"canary\"", "\"immediate\"", "\"completed\"", "\"rollback when error_rate > 1x baseline over 3h\"",
            Quote(InvalidUtf8Marker))),
        (1, RandomText.Select(Quote)),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0")),
        (1, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))));

    /// <summary>Nesting from shallow to beyond what the parser accepts, in arrays and in objects.</summary>
    private static readonly Gen<string> Deep = Gen.Int[1, 80].SelectMany(n => Gen.OneOfConst(
        new string('[', n) + new string(']', n),
        string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n)));

    private static readonly Gen<string> Hostile = Gen.Frequency((5, Scalar), (2, Deep), (2, Gen.Int[0, 3].SelectMany(Tree)));

    private static Gen<string> Tree(int depth) => depth == 0
        ? Scalar
        : Gen.Int[0, 9].SelectMany(kind => kind switch
        {
            < 4 => Scalar,
            < 6 => Tree(depth - 1).Array[0, 4].Select(items => "[" + string.Join(",", items) + "]"),
            _ => Gen.Select(Key, Tree(depth - 1)).Array[0, 5]
                .Select(members => "{" + string.Join(",", members.Select(m => Quote(m.Item1) + ":" + m.Item2)) + "}"),
        });

    private static Gen<string> Mutated(Target target)
    {
        var slots = Slots(JsonNode.Parse(target.ValidBody)!).Count;
        var hostile = target.Strings ? Hostile : Hostile.Where(value => !value.StartsWith('"'));
        return Gen.Select(Gen.Int[0, slots - 1], Gen.Int[0, 5], hostile, Gen.Int[0, 1000],
            (slot, kind, value, typo) => Mutate(target.ValidBody, slot, kind, value, typo));
    }

    /// <summary>Replaces (kinds 0-3), renames with a typo (4) or repeats with another value (5) one member or element of the valid body.</summary>
    private static string Mutate(string valid, int slotIndex, int kind, string hostile, int typo)
    {
        const string Marker = "\u0002fuzz\u0002";
        var root = JsonNode.Parse(valid)!;
        var (parent, name, index) = Slots(root)[slotIndex];
        if (parent is JsonObject obj && name is not null)
        {
            var value = obj[name];
            switch (kind)
            {
                case 4:
                    obj.Remove(name);
                    obj[Typo(name, typo)] = value;
                    return root.ToJsonString();
                case 5:
                    obj[name] = Marker;
                    return root.ToJsonString().Replace(Quote(Marker), (value?.ToJsonString() ?? "null") + "," + Quote(name) + ":" + hostile, StringComparison.Ordinal);
                default:
                    obj[name] = Marker;
                    break;
            }
        }
        else
        {
            ((JsonArray)parent!)[index] = Marker;
        }

        return root.ToJsonString().Replace(Quote(Marker), hostile, StringComparison.Ordinal);
    }

    private static List<(JsonNode? Parent, string? Name, int Index)> Slots(JsonNode node)
    {
        var slots = new List<(JsonNode?, string?, int)>();
        Collect(node, slots);
        return slots;

        static void Collect(JsonNode? node, List<(JsonNode?, string?, int)> slots)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, child) in obj)
                    {
                        slots.Add((obj, name, 0));
                        Collect(child, slots);
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        slots.Add((array, null, i));
                        Collect(array[i], slots);
                    }

                    break;
            }
        }
    }

    private static string Typo(string name, int seed) => (seed % 4) switch
    {
        0 when name.Length > 1 => name[1..],
        1 when name.Length > 2 => $"{name[..1]}{name[2]}{name[1]}{name[3..]}",
        2 => char.ToUpperInvariant(name[0]) + name[1..],
        _ => name + "s",
    };

    /// <summary>A JSON string of any text, lone surrogates included: everything outside printable ASCII is escaped.</summary>
    private static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and < '\u007f' and not ('"' or '\\') ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return builder.Append('"').ToString();
    }

    private static byte[] Encode(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var marker = Encoding.UTF8.GetBytes(Quote(InvalidUtf8Marker)[1..^1]);
        var at = bytes.AsSpan().IndexOf(marker);
        return at < 0 ? bytes : [.. bytes.AsSpan(0, at), .. InvalidUtf8, .. bytes.AsSpan(at + marker.Length)];
    }
}
