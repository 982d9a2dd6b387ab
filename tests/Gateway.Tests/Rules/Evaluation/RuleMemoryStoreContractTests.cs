using System.Text.Json;
using Rollgate.Json;
using Rollgate.Rules.Evaluation;
using static Rollgate.Tests.Stores.StoreTestData;

namespace Rollgate.Tests.Rules.Evaluation;

/// <summary>
/// What every <see cref="IRuleMemoryStore"/> must do, run against each implementation. <see cref="OpenAnotherAsync"/>
/// gives a second instance on the same data: the next controller, or the same process after a restart.
/// </summary>
public abstract class RuleMemoryStoreContractTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset At = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);

    protected IRuleMemoryStore Store { get; private set; } = null!;

    protected abstract Task<IRuleMemoryStore> CreateStoreAsync();

    protected abstract Task<IRuleMemoryStore> OpenAnotherAsync();

    /// <summary>Leaves bytes that are not a rule memory where the agent's memory is kept.</summary>
    protected abstract Task WriteGarbageAsync(string agent);

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_agent_without_memory_reads_null()
    {
        Assert.Null(await Store.ReadAsync(NewAgentName(), None));
    }

    [Fact]
    public async Task Written_memory_reads_back_whole()
    {
        var agent = NewAgentName();
        var memory = Memory("Canary:2:2026-05-01T09:00:00.0000000+00:00", heldFor: 7);

        await Store.WriteAsync(agent, memory, None);

        Assert.Equal(ToJson(memory), ToJson(await Store.ReadAsync(agent, None)));
    }

    [Fact]
    public async Task A_write_replaces_the_memory_and_null_forgets_it()
    {
        var agent = NewAgentName();
        await Store.WriteAsync(agent, Memory("Canary:2:a", heldFor: 3), None);
        var replacement = Memory("Canary:3:b", heldFor: 1);

        await Store.WriteAsync(agent, replacement, None);
        var replaced = await Store.ReadAsync(agent, None);
        await Store.WriteAsync(agent, null, None);

        Assert.Equal(ToJson(replacement), ToJson(replaced));
        Assert.Null(await Store.ReadAsync(agent, None));
        await Store.WriteAsync(agent, null, None); // forgetting twice is fine
    }

    [Fact]
    public async Task Agents_are_separate()
    {
        var (a, b) = (NewAgentName(), NewAgentName());
        var memoryA = Memory("Canary:2:a", heldFor: 3);
        var memoryB = Memory("Baking:5:b", heldFor: 9);

        await Store.WriteAsync(a, memoryA, None);
        await Store.WriteAsync(b, memoryB, None);
        await Store.WriteAsync(a, null, None);

        Assert.Null(await Store.ReadAsync(a, None));
        Assert.Equal(ToJson(memoryB), ToJson(await Store.ReadAsync(b, None)));
    }

    [Fact]
    public async Task Another_instance_on_the_same_data_reads_what_this_one_wrote()
    {
        var (kept, forgotten) = (NewAgentName(), NewAgentName());
        var memory = Memory("Baked:4:c", heldFor: 12);
        await Store.WriteAsync(kept, memory, None);
        await Store.WriteAsync(forgotten, Memory("Baked:4:c", heldFor: 2), None);
        await Store.WriteAsync(forgotten, null, None);

        var next = await OpenAnotherAsync();

        Assert.Equal(ToJson(memory), ToJson(await next.ReadAsync(kept, None)));
        Assert.Null(await next.ReadAsync(forgotten, None));
    }

    [Fact]
    public async Task Unreadable_memory_reads_as_none()
    {
        var agent = NewAgentName();
        await WriteGarbageAsync(agent);

        var next = await OpenAnotherAsync();

        Assert.Null(await next.ReadAsync(agent, None));
    }

    private static RuleMemory Memory(string subject, int heldFor) => new()
    {
        Subject = subject,
        EvaluatedAt = At,
        HeldSince = new Dictionary<string, DateTimeOffset>
        {
            ["alert when error_rate > 5% for 10s"] = At.AddSeconds(-heldFor),
            ["pause when p99_latency > 4s over 1m for 30s"] = At.AddSeconds(-1),
        },
        LastFiring = new Dictionary<string, RuleStatus>
        {
            ["rollback when error_rate > 15% over 10s"] = new("rollback when error_rate > 15% over 10s", RuleStateKind.Firing, 0.4, 0.01, 2, 100, 500, At.AddSeconds(-30)),
        },
    };

    private static string ToJson(RuleMemory? memory) => JsonSerializer.Serialize(memory, RollgateJson.Options);
}
