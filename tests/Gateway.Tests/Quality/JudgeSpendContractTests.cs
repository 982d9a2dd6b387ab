using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Quality;
using Rollgate.Stores.Redis;
using Rollgate.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rollgate.Tests.Quality;

/// <summary>
/// What every <see cref="IJudgeSpend"/> must do: sum what is added per agent and UTC day, whoever adds it, so that two
/// replicas' judges share one daily budget (<see cref="JudgeBudget"/>).
/// </summary>
public abstract class JudgeSpendContractTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 3, 1);

    protected IJudgeSpend Spend { get; private set; } = null!;

    protected abstract Task<IJudgeSpend> CreateAsync();

    public virtual async Task InitializeAsync() => Spend = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Spend_is_summed_per_agent_and_day()
    {
        await Spend.AddAsync("bot", Day, 0.25, default);
        await Spend.AddAsync("bot", Day, 0.5, default);
        await Spend.AddAsync("other", Day, 2, default);
        await Spend.AddAsync("bot", Day.AddDays(1), 1, default);

        Assert.Equal(0.75, await Spend.GetAsync("bot", Day, default), 9);
        Assert.Equal(2, await Spend.GetAsync("other", Day, default), 9);
        Assert.Equal(1, await Spend.GetAsync("bot", Day.AddDays(1), default), 9);
        Assert.Equal(0, await Spend.GetAsync("bot", Day.AddDays(2), default));
    }

    [Fact]
    public async Task Concurrent_additions_are_all_counted()
    {
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Spend.AddAsync("bot", Day, 0.01, default)));

        Assert.Equal(1, await Spend.GetAsync("bot", Day, default), 9);
    }

    [Fact]
    public async Task Two_replicas_budgets_share_the_days_spend_and_a_new_day_starts_afresh()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero));
        var plan = TestQualityPlans.Of("bot", maxDailyCostUsd: 1);
        var first = new JudgeBudget(Spend, time, NullLogger<JudgeBudget>.Instance);
        var second = new JudgeBudget(Spend, time, NullLogger<JudgeBudget>.Instance);

        await first.AddAsync("bot", 0.6, default);
        Assert.Null(await second.RefusalAsync(plan, default));
        await second.AddAsync("bot", 0.6, default);

        Assert.Equal(JudgeOutcome.OverBudget, await first.RefusalAsync(plan, default));
        Assert.Equal(JudgeOutcome.OverBudget, await second.RefusalAsync(plan, default));
        time.Advance(TimeSpan.FromHours(1)); // midnight UTC
        Assert.Null(await first.RefusalAsync(plan, default));
    }
}

public sealed class InMemoryJudgeSpendTests : JudgeSpendContractTests
{
    protected override Task<IJudgeSpend> CreateAsync() => Task.FromResult<IJudgeSpend>(new InMemoryJudgeSpend());
}

public sealed class RedisJudgeSpendTests(RedisServer redis) : JudgeSpendContractTests, IClassFixture<RedisServer>
{
    private ConnectionMultiplexer? _connection;

    protected override async Task<IJudgeSpend> CreateAsync()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        return new RedisJudgeSpend(_connection, "test-" + Guid.NewGuid().ToString("N"));
    }

    public override async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}

/// <summary>The budget while the shared store is unreachable: nothing is judged unchecked, and no spend is lost.</summary>
public sealed class JudgeBudgetOutageTests
{
    private static readonly QualityPlan Plan = TestQualityPlans.Of("bot", maxDailyCostUsd: 1);

    [Fact]
    public async Task An_unreadable_spend_judges_nothing_and_spend_that_could_not_be_added_is_added_later()
    {
        var spend = new UnreachableWhenDown(new InMemoryJudgeSpend());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var budget = new JudgeBudget(spend, time, NullLogger<JudgeBudget>.Instance);

        spend.Down = true;
        Assert.Equal(JudgeOutcome.Failed, await budget.RefusalAsync(Plan, default));
        await budget.AddAsync("bot", 0.4, default); // a call that was under way when the store went away

        spend.Down = false;
        await budget.AddAsync("bot", 0.7, default);
        Assert.Equal(1.1, await spend.GetAsync("bot", new DateOnly(2026, 3, 1), default), 9);
        Assert.Equal(JudgeOutcome.OverBudget, await budget.RefusalAsync(Plan, default));
    }

    /// <summary>A store that answers as an unreachable Redis does while <see cref="Down"/> is set.</summary>
    private sealed class UnreachableWhenDown(IJudgeSpend inner) : IJudgeSpend
    {
        public bool Down { get; set; }

        public Task AddAsync(string agent, DateOnly day, double costUsd, CancellationToken cancellationToken)
            => Down ? throw new Rollgate.Stores.StoreUnavailableException("Redis is unavailable.") : inner.AddAsync(agent, day, costUsd, cancellationToken);

        public Task<double> GetAsync(string agent, DateOnly day, CancellationToken cancellationToken)
            => Down ? throw new Rollgate.Stores.StoreUnavailableException("Redis is unavailable.") : inner.GetAsync(agent, day, cancellationToken);
    }
}
