using Rollgate.Hosting;
using Rollgate.Tests.Admin;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Hosting;

/// <summary>A bad seed stops the start with what the admin API would have answered: the field and what is expected.</summary>
public sealed class SeedValidationTests : IDisposable
{
    private readonly string _dataDir = GatewayInstance.NewDataDir();
    private readonly string _seed = Path.Combine(Path.GetTempPath(), $"seed-{Guid.NewGuid():N}.json");

    public static TheoryData<string, string> BadSeeds => new()
    {
        { """{"agents":[{"name":"seed-bot","definition":{"rules":null}}]}""", "agents[0].definition.rules: expected an array of strings, not null" },
        { """{"agents":[{"nmae":"seed-bot"}]}""", "agents[0].nmae: unknown field 'nmae'; did you mean 'name'?" },
        { """{"agents":[{"name":"seed-bot","deploy":"1"}]}""", "agents[0].deploy: expected an integer, not a string" },
        { """{"agents":[{"name":"seed-bot","versions":[{"knowledge":{"n":1e400}}]}]}""", "agents[0].versions[0].knowledge.n: is out of range" },
        { """{"agents":[{"name":"seed-bot"}],}""", "is not valid JSON (line 1, byte 33)" },
        { """{"agents":[{"name":"seed-bot","definition":{"rules":["alert when error_rate > 5% over 3h"]}}]}""",
            "rules[0]: rule 'alert when error_rate > 5% over 3h': the window (over 3h) must be at most 2h" },
        { """{"agents":[{"name":"seed-bot","versions":[{"model":{"temprature":0.2},"backend":{"destinations":["http://127.0.0.1:9"]}}]}]}""",
            "version #1: model.temprature: unknown field 'temprature'; did you mean 'temperature'?" },
    };

    [Theory]
    [MemberData(nameof(BadSeeds))]
    public void A_bad_seed_stops_the_start_naming_the_field(string seed, string expected)
    {
        File.WriteAllText(_seed, seed);

        var error = Assert.Throws<StartupException>(() => GatewayHost.Build(
        [
            $"--Rollgate:ProxyUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:AdminUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:DataDir={_dataDir}",
            $"--Rollgate:AdminToken={GatewayInstance.OperatorToken}",
            $"--Rollgate:Seed={_seed}",
            "--Logging:LogLevel:Default=Warning",
        ]));

        Assert.Contains(expected, error.Message);
        AdminValidationTests.AssertNamesNoDotNetType(error.Message);
    }

    public void Dispose()
    {
        File.Delete(_seed);
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
