namespace Rollgate.Admin.Views;

/// <summary><c>GET /healthz</c> and <c>/readyz</c>: <c>alive</c>, <c>ready</c> or <c>loading</c>.</summary>
public sealed record HealthView(string Status);
