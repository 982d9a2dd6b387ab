using System.Text.Json;
using Rollgate.Agents;
using Rollgate.Json;
using Rollgate.Validation;
using Rollgate.Versions;

namespace Rollgate.Tests.Versions;

/// <summary>Content hashing, basedOn composition, diff and validation of versions.</summary>
public sealed class VersionContentTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static VersionManifest Manifest(string json) => JsonSerializer.Deserialize<VersionManifest>(json, RollgateJson.Options)!;

    private static AgentVersion Compose(string json, AgentVersion? basedOn = null, int number = 1)
        => VersionComposer.Compose(Manifest(json), basedOn, number, Now, "tester");

    [Fact]
    public void Hash_ignores_member_order_whitespace_and_number_spelling_but_not_content()
    {
        var a = Compose("""{"prompt":{"system":"hi","format":"md"},"model":{"temperature":0.20,"maxTokens":100}}""");
        var b = Compose("""{ "model": { "maxTokens": 100, "temperature": 0.2 }, "prompt": { "format": "md", "system": "hi" } }""");
        var c = Compose("""{"prompt":{"system":"hi!","format":"md"},"model":{"temperature":0.2,"maxTokens":100}}""");

        Assert.Equal(a.Hash, b.Hash);
        Assert.NotEqual(a.Hash, c.Hash);
        Assert.Equal(a.ComponentHashes["model"], c.ComponentHashes["model"]);
        Assert.NotEqual(a.ComponentHashes["prompt"], c.ComponentHashes["prompt"]);
        Assert.Matches("^sha256:[0-9a-f]{64}$", a.Hash);
    }

    [Fact]
    public void Notes_do_not_change_the_content_hash()
    {
        Assert.Equal(Compose("""{"prompt":{"system":"x"},"notes":"a"}""").Hash, Compose("""{"prompt":{"system":"x"},"notes":"b"}""").Hash);
    }

    [Fact]
    public void BasedOn_copies_every_component_not_given()
    {
        var v13 = Compose("""{"prompt":{"system":"old"},"model":{"name":"m1"},"tools":[{"name":"refund"}],"knowledge":{"index":"kb"},"backend":{"destinations":["http://a"]}}""", number: 13);

        var v14 = Compose("""{"basedOn":13,"prompt":{"system":"new"}}""", v13, number: 14);

        Assert.Equal("new", v14.Prompt!.Value.GetProperty("system").GetString());
        Assert.Equal(v13.ComponentHashes["model"], v14.ComponentHashes["model"]);
        Assert.Equal(v13.ComponentHashes["tools"], v14.ComponentHashes["tools"]);
        Assert.Equal(v13.ComponentHashes["backend"], v14.ComponentHashes["backend"]);
        Assert.Equal(13, v14.BasedOn);
    }

    [Fact]
    public void Diff_names_changed_components_and_fields()
    {
        var a = Compose("""{"prompt":{"system":"a","format":"md"},"model":{"name":"m","temperature":0.2},"tools":[{"name":"t"}]}""");
        var b = Compose("""{"prompt":{"system":"b","format":"md"},"model":{"name":"m","temperature":0.2},"tools":[{"name":"t"},{"name":"u"}]}""");

        var diff = VersionDiff.Compare(a, b);

        Assert.Equal("changed", diff["prompt"].Status);
        Assert.Equal(["prompt.system"], diff["prompt"].Changed);
        Assert.Equal("same", diff["model"].Status);
        Assert.Equal("changed", diff["tools"].Status);
        Assert.Equal("same", diff["guardrails"].Status);
    }

    [Fact]
    public void Content_validation_collects_every_problem()
    {
        var version = Compose("""
            {"model":{"temperature":3,"maxTokens":0,"apiKeyEnv":"lower-case","pricing":{"inputPerMTok":-1,"outputPerMTok":10}},
             "tools":[{"name":"ok"},{"name":"ok"},{"description":"no name"}],
             "backend":{"destinations":["http://fine:1","file:///etc/passwd"]},
             "guardrails":{"nested":{"password":"hunter2"}}}
            """);
        var errors = new ValidationErrors();

        VersionManifestValidator.ValidateContent(version, AgentModes.Passthrough, errors);
        var fields = errors.ToDictionary().Keys;

        Assert.Equal(
            new[] { "backend.destinations[1]", "guardrails.nested.password", "model.apiKeyEnv", "model.maxTokens", "model.pricing.inputPerMTok", "model.temperature", "tools[1].name", "tools[2].name" },
            fields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Pricing_and_destinations_are_read_from_the_version()
    {
        var version = Compose("""{"model":{"pricing":{"inputPerMTok":2.5,"outputPerMTok":10}},"backend":{"destinations":["http://a","http://b"]}}""");

        Assert.Equal(["http://a", "http://b"], version.Destinations());
        Assert.Equal(0.0025 * 1000 / 1000 + 0.01 * 100 / 1000, version.Pricing().Cost(1000, 100), precision: 9);
    }
}
