using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Admin;

/// <summary>The OpenAPI document of the admin API and the reference page that renders it, on the real gateway.</summary>
public sealed partial class OpenApiTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        _anonymous = new HttpClient { BaseAddress = new Uri(_gateway.AdminUrl) };
    }

    public async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task The_document_describes_exactly_the_endpoints_the_gateway_maps_and_every_admin_endpoint_among_them()
    {
        var document = await DocumentAsync();
        var described = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"))
            .Order().ToArray();

        var mapped = _gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(method => (Endpoint: e, Key: $"{method} {Path(e)}")))
            .ToArray();
        var excluded = mapped.Where(m => m.Endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true).Select(m => m.Key).ToArray();

        Assert.Equal(mapped.Select(m => m.Key).Except(excluded).Order(), described);
        Assert.DoesNotContain(excluded, key => key.Contains(" /admin/", StringComparison.Ordinal));
        Assert.Contains("POST /admin/agents/{agent}/drill", described);
        Assert.Contains("GET /openapi/{documentName}.json", excluded);
        Assert.Contains("GET /api", excluded);
    }

    [Fact]
    public async Task Every_admin_operation_names_its_role_body_answers_problems_and_the_bearer_scheme()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Path: path.Key, Method: op.Key, Op: op.Value!.AsObject())))
            .ToArray();

        Assert.Equal("http", document["components"]!["securitySchemes"]!["bearer"]!["type"]!.GetValue<string>());
        Assert.Equal(operations.Length, operations.Select(o => o.Op["operationId"]!.GetValue<string>()).Distinct().Count());
        foreach (var (path, method, op) in operations.Where(o => o.Path.StartsWith("/admin/", StringComparison.Ordinal)))
        {
            var at = $"{method} {path}";
            Assert.True(op["security"]![0]!["bearer"] is JsonArray, at);
            Assert.StartsWith("Role: ", op["description"]!.GetValue<string>(), StringComparison.Ordinal);
            var responses = op["responses"]!.AsObject();
            Assert.True(responses.ContainsKey("401") && responses.ContainsKey("403") && responses.ContainsKey("503"), at);
            Assert.True(responses.Any(r => r.Key.StartsWith('2') || r.Key == "405"), at);
            Assert.All(responses.Where(r => r.Key[0] is '4' or '5'), r => Assert.True(r.Value!["content"]!.AsObject().ContainsKey("application/problem+json"), $"{at} {r.Key}"));
        }

        var byId = operations.ToDictionary(o => o.Op["operationId"]!.GetValue<string>(), o => o.Op);
        Assert.Equal("Role: operator.", byId["Drill"]["description"]!.GetValue<string>()[..15]);
        Assert.Equal("#/components/schemas/DrillView", byId["Drill"]["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/DeploymentRequest", byId["Deploy"]["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Contains(byId["Rollback"]["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "If-Match" && p["in"]!.GetValue<string>() == "header");
        Assert.Contains(byId["History"]["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "limit" && p["in"]!.GetValue<string>() == "query");
        Assert.StartsWith("Role: reporter or operator.", byId["ReportOutcome"]["description"]!.GetValue<string>(), StringComparison.Ordinal);
        var statuses = schemas["ReleaseStatus"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
        Assert.Contains("rolled_back", statuses); // as answers write it
        Assert.Superset(new HashSet<string>(["empty", "stable", "canary", "paused"]), statuses.ToHashSet());
        Assert.Equal("string", schemas["RolloutPlan"]!["properties"]!["stepDuration"]!["type"]!.GetValue<string>());

        foreach (Match reference in ReferencePattern().Matches(document.ToJsonString()))
        {
            Assert.True(schemas.ContainsKey(reference.Groups[1].Value), $"{reference.Value} resolves");
        }
    }

    [Fact]
    public async Task The_reference_page_is_served_without_a_token_under_a_strict_policy_with_no_inline_script_or_style()
    {
        var page = await _anonymous.GetAsync("/api");
        var html = await page.Content.ReadAsStringAsync();
        var script = await _anonymous.GetAsync("/api/reference.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)", html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain(" style=", html);
        Assert.All(ScriptSources().Matches(html).Select(m => m.Groups[1].Value), source => Assert.StartsWith("/", source)); // nothing from elsewhere
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("/openapi/v1.json", await script.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _anonymous.GetAsync("/admin/agents")).StatusCode);
    }

    private async Task<JsonObject> DocumentAsync()
    {
        var response = await _anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>The route as the document writes it: parameters by name only, without their constraints.</summary>
    private static string Path(RouteEndpoint endpoint) => "/" + ParameterPattern().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), "{$1}");

    [GeneratedRegex(@"\{([A-Za-z]+)(?::[^}]*)?\}")]
    private static partial Regex ParameterPattern();

    [GeneratedRegex("\"#/components/schemas/([^\"]+)\"")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex("(?:src|href)=\"([^\"]*)\"")]
    private static partial Regex ScriptSources();
}
