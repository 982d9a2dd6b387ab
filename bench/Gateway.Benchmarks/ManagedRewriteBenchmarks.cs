using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Rollgate.Managed;
using Rollgate.Versions;

namespace Rollgate.Benchmarks;

/// <summary>
/// The per-request cost of a managed agent's request rewrite: a 2 KB chat request parsed and checked
/// (<see cref="ChatRequest"/>), then written with the version applied (prompt and few-shot messages, model settings,
/// two tools) into a pooled buffer, as the gateway does before calling the model. With and without input guardrails
/// (a length limit and one deny expression). The response body is never copied by the rewrite: it is relayed as it comes.
/// </summary>
[MemoryDiagnoser]
public class ManagedRewriteBenchmarks
{
    private byte[] _request = null!;
    private ManagedVersion _plain = null!;
    private ManagedVersion _guarded = null!;
    private PooledBufferWriter _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _request = ChatRequestOf(2048);
        _plain = ManagedVersion.Build(Version(guardrails: null), TimeSpan.FromMinutes(5));
        _guarded = ManagedVersion.Build(Version("""{"input":{"maxChars":20000,"deny":["(?i)ignore (all )?previous instructions"]}}"""), TimeSpan.FromMinutes(5));
        _output = new PooledBufferWriter(8192);
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark(Baseline = true, Description = "rewrite a 2 KB chat request")]
    public int Rewrite() => RewriteWith(_plain);

    [Benchmark(Description = "rewrite a 2 KB chat request, input guardrails checked")]
    public int RewriteGuarded() => RewriteWith(_guarded);

    private int RewriteWith(ManagedVersion version)
    {
        using var chat = ChatRequest.Parse(_request, out _)!;
        if (chat.BlockedBy(version.Guardrails) is not null)
        {
            throw new InvalidOperationException("the benchmark's request must pass");
        }

        _output.Clear();
        chat.Write(_output, version, version.Models[0]);
        return _output.Length;
    }

    /// <summary>A conversation of user and assistant turns, as an SDK sends it, padded to about <paramref name="bytes"/>.</summary>
    internal static byte[] ChatRequestOf(int bytes)
    {
        var messages = new List<object>();
        var size = 0;
        for (var turn = 0; size < bytes - 200; turn++)
        {
            var text = $"Turn {turn}: my order 10{turn:D4} has not arrived yet, the tracking page says it left the depot on Monday. Can you check? ";
            messages.Add(new { role = turn % 2 == 0 ? "user" : "assistant", content = text });
            size += text.Length + 32;
        }

        return JsonSerializer.SerializeToUtf8Bytes(new { model = "gpt-4o", messages, temperature = 0.7, user = "user-42", stream = false });
    }

    private static AgentVersion Version(string? guardrails)
    {
        JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
        return new AgentVersion
        {
            Number = 1,
            Hash = "sha256:" + new string('b', 64),
            ComponentHashes = new Dictionary<string, string>(),
            CreatedAt = DateTimeOffset.UnixEpoch,
            CreatedBy = "bench",
            Prompt = Json("""
                {"system":"You are a helpful, terse support agent for an online shop. Answer in at most three sentences. Never invent order data: use the tools.",
                 "fewShot":[{"role":"user","content":"Where is my parcel?"},{"role":"assistant","content":"Let me look it up: what is your order number?"}]}
                """),
            Model = Json("""
                {"name":"gpt-4o","endpoint":"https://api.example.com/v1","apiKeyEnv":"OPENAI_API_KEY","temperature":0.2,"maxTokens":800,"stop":["END"],
                 "pricing":{"inputPerMTok":2.5,"outputPerMTok":10},"fallbacks":[{"name":"gpt-4o-mini"}]}
                """),
            Tools = Json("""
                [{"name":"lookup_order","description":"Finds an order by its number","parameters":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}},
                 {"name":"track_parcel","description":"Tracks a parcel","parameters":{"type":"object","properties":{"tracking":{"type":"string"}}}}]
                """),
            Guardrails = guardrails is null ? null : Json(guardrails),
        };
    }
}
