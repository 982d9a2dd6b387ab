using System.Text.RegularExpressions;
using Rollgate.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Rollgate.Tests.Deploy;

/// <summary>The shipped dashboard covers what the gateway exports and is provisioned by the compose file. Its queries run against a real Prometheus in <see cref="PrometheusDashboardTests"/>.</summary>
public sealed class DashboardTests
{
    private readonly GrafanaDashboard _dashboard = GrafanaDashboard.Load();

    [Fact]
    public void Every_metric_of_the_metrics_docs_is_on_some_panel()
    {
        var names = MetricsDoc.Names();
        Assert.Contains("rollgate_requests_total", names); // the docs' tables were read
        var exprs = _dashboard.Panels.SelectMany(p => p.Targets).Select(t => t.Expr).ToArray();

        var missing = names.Where(name => !exprs.Any(expr => Regex.IsMatch(expr, $@"(?<![a-z0-9_:]){Regex.Escape(name)}(_bucket|_sum|_count)?(?![a-z0-9_])"))).ToArray();

        Assert.True(missing.Length == 0, "on no panel of the dashboard: " + string.Join(", ", missing));
    }

    [Fact]
    public void It_has_the_rows_and_the_agent_and_version_variables()
    {
        Assert.Equal(["Canary vs stable", "Rollbacks", "Tools and models", "Fleet"], _dashboard.Panels.Select(p => p.Row).Distinct());
        foreach (var name in new[] { "agent", "version" })
        {
            var variable = Assert.Single(_dashboard.Variables, v => v["name"]!.GetValue<string>() == name);
            Assert.Equal("query", variable["type"]!.GetValue<string>());
            Assert.True(variable["multi"]!.GetValue<bool>() && variable["includeAll"]!.GetValue<bool>(), $"{name}: several values and All can be chosen");
            Assert.Equal(".*", variable["allValue"]!.GetValue<string>());
        }

        // A panel that reads a per-version metric follows both variables.
        foreach (var target in _dashboard.Panels.SelectMany(p => p.Targets).Where(t => t.Expr.Contains("version=~", StringComparison.Ordinal)))
        {
            Assert.Contains("version=~\"$version\"", target.Expr);
            Assert.Contains("agent=~\"$agent\"", target.Expr);
        }

        var ids = _dashboard.Json["panels"]!.AsArray().Select(p => p!["id"]!.GetValue<int>()).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void The_compose_file_provisions_the_dashboards_and_loads_the_alert_rules()
    {
        var compose = (YamlMappingNode)Yaml.Load(Repository.Path("deploy", "docker-compose.yml"))["services"];
        var grafana = Yaml.Strings(compose["grafana"]["volumes"]);
        var prometheus = Yaml.Strings(compose["prometheus"]["volumes"]);
        var provider = Yaml.Load(Repository.Path("deploy", "grafana", "provisioning", "dashboards", "rollgate.yml"));
        var config = Yaml.Load(Repository.Path("deploy", "prometheus", "prometheus.yml"));

        Assert.Contains("./grafana/dashboards:/etc/grafana/dashboards:ro", grafana);
        Assert.Equal("/etc/grafana/dashboards", Yaml.String(provider["providers"][0]["options"]["path"]));
        Assert.Contains("./prometheus:/etc/prometheus:ro", prometheus);
        Assert.Contains("--config.file=/etc/prometheus/prometheus.yml", Yaml.Strings(compose["prometheus"]["command"]));
        Assert.Equal(["alerts.yml"], Yaml.Strings(config["rule_files"]));
        // The alerts read up{job="rollgate"}.
        Assert.Equal("rollgate", Yaml.String(config["scrape_configs"][0]["job_name"]));
    }
}
