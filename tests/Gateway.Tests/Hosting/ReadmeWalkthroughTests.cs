using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Hosting;

/// <summary>
/// Runs the README's curl walk-through as written (only <c>dotnet run</c> is replaced by the gateway this suite
/// built, and the ports by free ones) and checks that what it prints matches the sample answers the README shows, in order. Decimal numbers in a
/// sample (timings) match any number and <c>…</c> matches anything; everything else must be exactly as printed.
/// </summary>
public sealed partial class ReadmeWalkthroughTests
{
    [Fact]
    public async Task The_walk_through_runs_as_written_and_prints_what_the_readme_shows()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"));
        var section = Section(readme, "## Walk-through with curl");
        var blocks = CodeBlock().Matches(section).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(blocks);
        var work = Directory.CreateTempSubdirectory("rollgate-readme-").FullName;
        // The README's ports, moved to free ones so that nothing else on the machine can stand in the way.
        var ports = new[] { 8080, 8081, 9001, 9002 }.ToDictionary(port => port, _ => FreePort.Get());
        var gateway = $"\"$DOTNET\" \"$GATEWAY_DLL\" --Rollgate:DataDir=src/Gateway/data "
                      + $"--Rollgate:ProxyUrl=http://127.0.0.1:{ports[8080]} --Rollgate:AdminUrl=http://127.0.0.1:{ports[8081]}";
        var script = new StringBuilder()
            .AppendLine("set -m")
            .AppendLine("trap 'kill $(jobs -p) 2>/dev/null' EXIT")
            .AppendJoin('\n', blocks)
            .ToString()
            .Replace("dotnet run --project src/Gateway", gateway, StringComparison.Ordinal);
        script = ReadmePort().Replace(script, match => ports[int.Parse(match.Value, CultureInfo.InvariantCulture)].ToString(CultureInfo.InvariantCulture));

        var output = await RunBashAsync(script, work);

        var position = 0;
        foreach (var sample in Samples(blocks))
        {
            var match = SamplePattern(sample).Match(output, position);
            Assert.True(match.Success, $"README sample not printed (after position {position}):\n{sample}\n--- output ---\n{output}");
            position = match.Index + match.Length;
        }

        Assert.DoesNotContain("admin-token", output); // nothing of the data directory is ever served
    }

    /// <summary>The <c># …</c> comments of the code blocks: a comment of its own line, continued by lines that start with <c>#  </c>, or one after a command.</summary>
    private static IEnumerable<string> Samples(IEnumerable<string> blocks)
    {
        foreach (var block in blocks)
        {
            string? pending = null;
            foreach (var line in block.Split('\n'))
            {
                var trimmed = line.TrimStart();
                if (trimmed.StartsWith("#  ", StringComparison.Ordinal) && pending is not null)
                {
                    pending += trimmed[3..].TrimStart();
                    continue;
                }

                if (pending is not null)
                {
                    yield return pending;
                    pending = null;
                }

                if (trimmed.StartsWith("# ", StringComparison.Ordinal))
                {
                    pending = trimmed[2..];
                }
                else if (InlineComment().Match(line) is { Success: true } inline && line.TrimStart().StartsWith("curl", StringComparison.Ordinal))
                {
                    pending = inline.Groups[1].Value;
                }
            }

            if (pending is not null)
            {
                yield return pending;
            }
        }
    }

    private static Regex SamplePattern(string sample)
    {
        var pattern = string.Join("[\\s\\S]*?", sample.Split('…').Select(part => DecimalNumber().Replace(Regex.Escape(part.Trim()), "-?\\d+(\\.\\d+)?")));
        return new Regex(pattern);
    }

    private static async Task<string> RunBashAsync(string script, string workingDirectory)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory };
        start.Environment["DOTNET"] = ChildProcess.DotnetHost;
        start.Environment["GATEWAY_DLL"] = ChildProcess.GatewayDll;
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(start, TimeSpan.FromSeconds(90), stdin: script);
        Assert.True(exitCode == 0, $"the walk-through failed with exit code {exitCode}\n{stdout}\n{stderr}");
        return stdout;
    }

    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no '{heading}' section");
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Gateway.sln) was not found above the test binaries");
    }

    [GeneratedRegex("(?<=[: ])(8080|8081|9001|9002)\\b")]
    private static partial Regex ReadmePort();

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex("\\s#\\s+(.+)$")]
    private static partial Regex InlineComment();

    [GeneratedRegex("\\d+\\\\\\.\\d+")]
    private static partial Regex DecimalNumber();
}
