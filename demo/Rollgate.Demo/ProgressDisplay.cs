using System.Globalization;
using System.Text.Json.Nodes;

namespace Rollgate.Demo;

/// <summary>
/// The live view: on a terminal a block of lines redrawn in place (ANSI cursor movement), otherwise one line per second.
/// Shows the release state and rule states from <c>GET /admin/agents/{agent}</c> and the traffic as the client saw it.
/// </summary>
public sealed class ProgressDisplay
{
    private static readonly TimeSpan LineEvery = TimeSpan.FromSeconds(1);
    private readonly bool _live = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";
    private int _drawn;
    private TimeSpan? _lastLine;

    public void Show(string phase, TimeSpan elapsed, JsonObject agent, TrafficDriver traffic, bool force = false)
    {
        if (_live)
        {
            Redraw(Frame(phase, elapsed, agent, traffic));
        }
        else if (force || _lastLine is null || elapsed - _lastLine >= LineEvery)
        {
            _lastLine = elapsed;
            Console.WriteLine(Line(phase, elapsed, agent, traffic));
        }
    }

    private void Redraw(IReadOnlyList<string> lines)
    {
        var width = Math.Max(40, Console.WindowWidth - 1); // never wrap, or moving the cursor up would tear the frame
        var text = new System.Text.StringBuilder();
        if (_drawn > 0)
        {
            text.Append($"\e[{_drawn}F");
        }

        foreach (var line in lines)
        {
            text.Append("\e[2K").Append(Fit(line, width)).Append('\n');
        }

        for (var extra = lines.Count; extra < _drawn; extra++)
        {
            text.Append("\e[2K\n");
        }

        Console.Write(text.ToString());
        _drawn = Math.Max(_drawn, lines.Count);
    }

    /// <summary>Cuts <paramref name="line"/> to <paramref name="width"/> visible characters (colour escapes take no room).</summary>
    private static string Fit(string line, int width)
    {
        var visible = 0;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\e')
            {
                i = line.IndexOf('m', i);
            }
            else if (++visible == width)
            {
                return i + 1 < line.Length ? line[..i] + "…\e[0m" : line;
            }
        }

        return line;
    }

    private static List<string> Frame(string phase, TimeSpan elapsed, JsonObject agent, TrafficDriver traffic)
    {
        var lines = new List<string>
        {
            $" {elapsed.TotalSeconds,5:0.0}s  {phase}",
            $" release  {Release(agent)}",
        };
        var first = true;
        foreach (var (version, tally) in traffic.Seen.OrderBy(kv => kv.Key))
        {
            var role = version == (agent["canary"]?.ToString() ?? "?") ? "canary" : version == agent["stable"]?.ToString() ? "stable" : "";
            lines.Add($" {(first ? "traffic" : ""),-8} v{version,-2} {role,-6} {tally.Requests,7:N0} req  {tally.Errors,5:N0} 5xx ({Percent(tally.Errors, tally.Requests),5})"
                      + $"  {tally.FailedTasks,5:N0} failed tasks");
            first = false;
        }

        var number = 0;
        foreach (var rule in agent["rules"]?.AsArray() ?? [])
        {
            var subject = rule?["subject"] is { } s ? $"v{s}" : "";
            var requests = $"n={rule?["subjectRequests"]?.ToString() ?? "0"}/{rule?["baselineRequests"]?.ToString() ?? "0"}";
            lines.Add($" {(number == 0 ? "rules" : ""),-8} #{++number} {ColouredState(rule)} {subject,-3} {Figure(rule, "value"),6} vs {Figure(rule, "baseline"),-6} "
                      + $"{requests,-11} {rule?["text"]}");
        }

        return lines;
    }

    private static string Line(string phase, TimeSpan elapsed, JsonObject agent, TrafficDriver traffic)
    {
        var seen = string.Join("  ", traffic.Seen.OrderBy(kv => kv.Key).Select(kv => $"v{kv.Key} {kv.Value.Requests} req/{kv.Value.Errors} 5xx"));
        var rules = string.Join(" ", (agent["rules"]?.AsArray() ?? []).Select(State));
        return $"[{elapsed.TotalSeconds,5:0.0}s] {phase} | {Release(agent)} | {seen} | rules: {rules}";
    }

    private static string Release(JsonObject agent)
        => $"status {agent["status"]}, stable v{agent["stable"]}"
           + (agent["canary"] is { } canary ? $", canary v{canary} at {agent["canaryPercent"]}%" : ", no canary")
           + $", generation {agent["generation"]}";

    private static string State(JsonNode? rule) => rule?["state"]?.ToString() ?? "?";

    private static string ColouredState(JsonNode? rule)
    {
        var state = State(rule);
        var colour = state switch { "firing" => "31;1", "pending" => "33", "ok" => "32", _ => "2" };
        return $"\e[{colour}m{state,-17}\e[0m";
    }

    private static string Figure(JsonNode? rule, string name)
    {
        if (rule?[name] is not { } node)
        {
            return "-";
        }

        var value = node.GetValue<double>();
        return rule["text"]!.ToString().Contains("_rate", StringComparison.Ordinal)
            ? (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%"
            : value.ToString("0.###", CultureInfo.InvariantCulture);
    }

    private static string Percent(long part, long whole)
        => whole == 0 ? "-" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
