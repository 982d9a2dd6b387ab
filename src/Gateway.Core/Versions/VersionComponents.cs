namespace Rollgate.Versions;

/// <summary>The parts of an agent version that decide its behaviour; each is hashed and diffed on its own.</summary>
public static class VersionComponents
{
    public const string Prompt = "prompt";
    public const string Model = "model";
    public const string Tools = "tools";
    public const string Guardrails = "guardrails";
    public const string Knowledge = "knowledge";
    public const string Backend = "backend";

    public static readonly IReadOnlyList<string> All = [Prompt, Model, Tools, Guardrails, Knowledge, Backend];
}
