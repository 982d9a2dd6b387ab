using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Deploy;

/// <summary>The shipped Grafana dashboard (deploy/grafana/dashboards/rollgate.json), read as Grafana reads it.</summary>
public sealed class GrafanaDashboard
{
    public static readonly string File = Repository.Path("deploy", "grafana", "dashboards", "rollgate.json");

    private GrafanaDashboard(JsonObject json, IReadOnlyList<Panel> panels)
    {
        Json = json;
        Panels = panels;
    }

    public JsonObject Json { get; }

    /// <summary>Every panel that queries Prometheus, in order, each with the row it is under.</summary>
    public IReadOnlyList<Panel> Panels { get; }

    public IEnumerable<JsonObject> Variables => Json["templating"]!["list"]!.AsArray().Select(v => v!.AsObject());

    public static GrafanaDashboard Load()
    {
        var json = JsonNode.Parse(System.IO.File.ReadAllText(File))!.AsObject();
        var panels = new List<Panel>();
        var row = "";
        foreach (var node in json["panels"]!.AsArray())
        {
            var panel = node!.AsObject();
            if (panel["type"]!.GetValue<string>() == "row")
            {
                row = panel["title"]!.GetValue<string>();
                continue;
            }

            var targets = panel["targets"]!.AsArray().Select(t => new Target(
                t!["refId"]!.GetValue<string>(),
                t["expr"]!.GetValue<string>(),
                t["instant"]?.GetValue<bool>() ?? false)).ToArray();
            panels.Add(new Panel(row, panel["title"]!.GetValue<string>(), panel["type"]!.GetValue<string>(), targets));
        }

        return new GrafanaDashboard(json, panels);
    }

    /// <summary>
    /// A query as Grafana sends it to Prometheus: its variables replaced. <paramref name="rateInterval"/> stands for
    /// <c>$__rate_interval</c> (four scrape intervals at least) and <paramref name="range"/> for the dashboard's time range.
    /// </summary>
    public static string Substitute(string expr, string agent, string version, string rateInterval, string range)
        => expr.Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
            .Replace("$__range", range, StringComparison.Ordinal)
            .Replace("$agent", agent, StringComparison.Ordinal)
            .Replace("$version", version, StringComparison.Ordinal);

    public sealed record Panel(string Row, string Title, string Type, IReadOnlyList<Target> Targets)
    {
        public override string ToString() => $"{Row} / {Title}";
    }

    public sealed record Target(string RefId, string Expr, bool Instant);
}
