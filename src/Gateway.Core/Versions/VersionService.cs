using Rollgate.Agents;
using Rollgate.Stores;
using Rollgate.Validation;

namespace Rollgate.Versions;

/// <summary>Creates versions: resolves <c>basedOn</c>, validates the composed content, and lets the store number and de-duplicate it.</summary>
public sealed class VersionService(IRollgateStore store, TimeProvider timeProvider)
{
    public async Task<VersionCreateOutcome> CreateAsync(string agent, VersionManifest manifest, string actor, CancellationToken cancellationToken)
    {
        var record = await store.GetAgentAsync(agent, cancellationToken);
        if (record is null)
        {
            return new VersionCreateOutcome.AgentNotFound();
        }

        var errors = new ValidationErrors();
        VersionManifestValidator.ValidateManifest(manifest, errors);
        AgentVersion? basedOn = null;
        if (manifest.BasedOn is { } baseNumber and > 0)
        {
            basedOn = await store.GetVersionAsync(agent, baseNumber, cancellationToken);
            if (basedOn is null)
            {
                errors.Add("basedOn", $"version {baseNumber} of '{agent}' does not exist");
            }
        }

        if (!errors.IsEmpty)
        {
            return new VersionCreateOutcome.Invalid(errors);
        }

        var now = timeProvider.GetUtcNow();
        var draft = VersionComposer.Compose(manifest, basedOn, number: 0, now, actor);
        VersionManifestValidator.ValidateContent(draft, record.Definition.Mode, errors);
        if (!errors.IsEmpty)
        {
            return new VersionCreateOutcome.Invalid(errors);
        }

        var result = await store.AddVersionAsync(agent, draft.Hash, number => draft with { Number = number }, cancellationToken);
        return result.Created ? new VersionCreateOutcome.Created(result.Version) : new VersionCreateOutcome.Existing(result.Version);
    }
}

public abstract record VersionCreateOutcome
{
    public sealed record Created(AgentVersion Version) : VersionCreateOutcome;

    public sealed record Existing(AgentVersion Version) : VersionCreateOutcome;

    public sealed record AgentNotFound : VersionCreateOutcome;

    public sealed record Invalid(ValidationErrors Errors) : VersionCreateOutcome;
}
