using System.Text.Json;
using Rollgate.Agents;
using Rollgate.Json;
using Rollgate.Release;
using Rollgate.Signals;
using Rollgate.Stores;
using Rollgate.Validation;
using Rollgate.Versions;

namespace Rollgate.Hosting;

/// <summary>
/// Applies the seed file at start-up through the same commands the admin API uses. Idempotent: an unchanged
/// definition is not re-committed, versions are de-duplicated by content, and a deploy happens only once.
/// </summary>
public sealed partial class SeedLoader(
    IRollgateStore store, ReleaseCommands commands, VersionService versions, FigureStoreOptions figures, ILogger<SeedLoader> logger)
{
    public const string Actor = "seed";

    private static readonly CommandIssuer Issuer = new(Actor);

    public async Task ApplyAsync(string path, CancellationToken cancellationToken)
    {
        foreach (var agent in await ReadAsync(path, cancellationToken))
        {
            await ApplyAgentAsync(agent, cancellationToken);
        }
    }

    /// <summary>Reads the file with the admin API's rules, so a bad seed gets the same field-by-field answer as a bad request.</summary>
    private static async Task<IReadOnlyList<SeedAgent>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StartupException.InvalidSetting($"Rollgate:Seed '{path}' could not be read: {ex.Message}", ex);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var errors = new ValidationErrors();
            var seed = OperatorInput.Read<SeedFile>(document.RootElement, "", errors);
            return seed?.Agents ?? throw StartupException.InvalidSetting($"Rollgate:Seed '{path}' is not a valid seed file: {errors}");
        }
        catch (JsonException ex)
        {
            throw StartupException.InvalidSetting(
                $"Rollgate:Seed '{path}' is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {JsonPath.WithoutPosition(ex.Message)}", ex);
        }
    }

    private async Task ApplyAgentAsync(SeedAgent agent, CancellationToken cancellationToken)
    {
        if (!AgentName.IsValid(agent.Name))
        {
            throw StartupException.InvalidSetting($"Seed: '{agent.Name}' is not a valid agent name");
        }

        var errors = AgentDefinitionValidator.Validate(agent.Definition, figures.MinuteRetention);
        if (!errors.IsEmpty)
        {
            throw StartupException.InvalidSetting($"Seed: agent '{agent.Name}': {errors}");
        }

        var existing = await store.GetAgentAsync(agent.Name, cancellationToken);
        if (existing is null || !SameDefinition(existing.Definition, agent.Definition))
        {
            Expect(await commands.DefineAsync(agent.Name, agent.Definition, Issuer, cancellationToken), agent.Name, "define");
        }

        for (var i = 0; i < agent.Versions.Count; i++)
        {
            var outcome = await versions.CreateAsync(agent.Name, agent.Versions[i], Actor, cancellationToken);
            if (outcome is VersionCreateOutcome.Invalid invalid)
            {
                throw StartupException.InvalidSetting($"Seed: agent '{agent.Name}' version #{i + 1}: {invalid.Errors}");
            }

            if (outcome is VersionCreateOutcome.Created created)
            {
                LogVersionCreated(logger, created.Version.Number, agent.Name);
            }
        }

        if (agent.Deploy is { } deploy && (await store.GetAgentAsync(agent.Name, cancellationToken))?.State.Stable is null)
        {
            if (await store.GetVersionAsync(agent.Name, deploy, cancellationToken) is null)
            {
                throw StartupException.InvalidSetting($"Seed: agent '{agent.Name}' has no version {deploy} to deploy");
            }

            Expect(await commands.DeployAsync(agent.Name, new Deployment(deploy) { Strategy = DeployStrategy.Immediate }, Issuer, cancellationToken),
                agent.Name, "deploy");
        }
    }

    private static bool SameDefinition(AgentDefinition a, AgentDefinition b)
        => JsonSerializer.Serialize(a, RollgateJson.Options) == JsonSerializer.Serialize(b, RollgateJson.Options);

    private static void Expect(CommandResult result, string agent, string what)
    {
        if (result is not CommandResult.Committed)
        {
            throw StartupException.InvalidSetting($"Seed: {what} of agent '{agent}' failed: {result}");
        }
    }

    [LoggerMessage(610, LogLevel.Information, "Seed: created version {Version} of {Agent}")]
    private static partial void LogVersionCreated(ILogger logger, int version, string agent);
}
