using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Rollgate.Admin;
using Rollgate.Hosting;
using Rollgate.Release;

namespace Rollgate.Tests.Observability;

/// <summary>
/// Every log line of the gateway is a source-generated <c>[LoggerMessage]</c> with an event id of its own, so that an
/// operator can filter and alert on a line by number across releases.
/// </summary>
public sealed partial class LogEventIdTests
{
    private static readonly Assembly[] GatewayAssemblies = [typeof(ReleaseManager).Assembly, typeof(GatewayHost).Assembly, typeof(AdminApi).Assembly];

    [Fact]
    public void Every_log_message_has_a_distinct_nonzero_event_id()
    {
        var messages = GatewayAssemblies
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.Name}.{method.Name}", Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToArray();

        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.True(m.Attribute!.EventId > 0, $"{m.Method} has no event id"));
        var shared = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}");
        Assert.Empty(shared);
    }

    [Fact]
    public void No_log_line_is_written_through_the_string_template_extensions()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Gateway.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("the repository root (Gateway.sln) was not found above the test binaries");
        }

        var calls = Directory.EnumerateFiles(Path.Combine(root.FullName, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (Where: $"{Path.GetFileName(path)}:{i + 1}", Line: line)))
            .Where(l => TemplateCall().IsMatch(l.Line))
            .Select(l => l.Where);

        Assert.Empty(calls);
    }

    [GeneratedRegex(@"\.Log(Trace|Debug|Information|Warning|Error|Critical)\(")]
    private static partial Regex TemplateCall();
}
