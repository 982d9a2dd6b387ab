using System.Diagnostics;
using System.Text.RegularExpressions;
using Rollgate.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Rollgate.Tests.Deploy;

/// <summary>The alert rules of deploy/prometheus: valid for Prometheus, unit-tested with promtool, each with its runbook in the operations docs.</summary>
public sealed partial class AlertRulesTests
{
    private static readonly string Directory = Repository.Path("deploy", "prometheus");
    private static readonly TimeSpan PromtoolDeadline = TimeSpan.FromMinutes(2);

    /// <summary>The alerts operators are promised, by name.</summary>
    private static readonly string[] Promised =
    [
        "RollgateRuleRollback", "RollgateDrillOverdue", "RollgateDrillFailed", "RollgateToolCircuitOpen", "RollgateAgentDegraded",
        "RollgateReplicaBehind", "RollgateCanaryPaused", "RollgateGatewayDown", "RollgateStableErrorRateHigh",
    ];

    [Fact]
    public async Task Promtool_accepts_the_rules_and_the_compose_configuration()
    {
        var rules = await PromtoolAsync("check", "rules", "alerts.yml");
        var config = await PromtoolAsync("check", "config", "prometheus.yml");

        Assert.True(rules.ExitCode == 0, rules.Output);
        Assert.True(config.ExitCode == 0, config.Output);
    }

    [Fact]
    public async Task The_rules_pass_their_promtool_unit_tests()
    {
        var result = await PromtoolAsync("test", "rules", "alerts.test.yml");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("SUCCESS", result.Output);
    }

    [Fact]
    public void Every_promised_alert_is_there_with_a_summary_a_description_and_a_runbook_section()
    {
        var sections = File.ReadLines(Repository.Path("docs", "operations.md"))
            .Select(line => Heading().Match(line))
            .Where(m => m.Success)
            .Select(m => Anchor(m.Groups["title"].Value))
            .ToHashSet();
        var alerts = Alerts().ToArray();

        Assert.Equal(Promised.Order(), alerts.Select(a => Yaml.String(a["alert"])).Order());
        foreach (var alert in alerts)
        {
            var name = Yaml.String(alert["alert"]);
            var annotations = alert["annotations"];
            Assert.False(string.IsNullOrWhiteSpace(annotations.Get("summary") is { } s ? Yaml.String(s) : null), $"{name}: summary");
            Assert.False(string.IsNullOrWhiteSpace(annotations.Get("description") is { } d ? Yaml.String(d) : null), $"{name}: description");
            Assert.NotNull(alert.Get("labels")?.Get("severity"));
            Assert.Equal($"docs/operations.md#{name.ToLowerInvariant()}", Yaml.String(annotations["runbook_url"]));
            Assert.Contains(name.ToLowerInvariant(), sections);
        }
    }

    [Fact]
    public void Every_alert_is_seen_firing_by_some_unit_test()
    {
        var tests = Yaml.Load(Path.Combine(Directory, "alerts.test.yml"))["tests"].Items()
            .SelectMany(test => test.Get("alert_rule_test").Items())
            .Where(check => check["exp_alerts"].Items().Any())
            .Select(check => Yaml.String(check["alertname"]))
            .ToHashSet();

        Assert.All(Alerts().Select(a => Yaml.String(a["alert"])), name => Assert.Contains(name, tests));
    }

    private static IEnumerable<YamlNode> Alerts()
        => Yaml.Load(Path.Combine(Directory, "alerts.yml"))["groups"].Items()
            .SelectMany(group => group["rules"].Items())
            .Where(rule => rule.Get("alert") is not null);

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executables.Require("promtool", "prometheus")) { WorkingDirectory = Directory, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(start, PromtoolDeadline);
        return (exitCode, $"promtool {string.Join(' ', arguments)} exited {exitCode}\n{stdout}\n{stderr}");
    }

    /// <summary>The anchor a Markdown heading gets on GitHub: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Anchor(string title)
        => Regex.Replace(title.Trim().ToLowerInvariant(), @"[^a-z0-9 _-]", "").Replace(' ', '-');

    [GeneratedRegex(@"^#{1,6} (?<title>.+)$")]
    private static partial Regex Heading();
}
