using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rollgate.Configuration;
using Rollgate.Hosting;
using Rollgate.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Rollgate.Tests.Deploy;

/// <summary>
/// The kustomize base in deploy/k8s, read as kustomize would (its resources, every document of each), checked against
/// what the gateway really reads: its settings, its listeners, its probe and metrics paths, its shutdown.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Base = Repository.Path("deploy", "k8s");
    private readonly IReadOnlyList<YamlNode> _objects = Render();

    private YamlNode Object(string kind, string name)
        => Assert.Single(_objects, o => Yaml.String(o["kind"]) == kind && Yaml.String(o["metadata"]["name"]) == name);

    private YamlNode Gateway => Object("Deployment", "rollgate")["spec"]["template"]["spec"]["containers"][0];

    /// <summary>The gateway's environment as configuration keys: literal values, and a stand-in for values read from the cluster.</summary>
    private Dictionary<string, string?> GatewayEnvironment()
        => Gateway["env"].Items().ToDictionary(
            e => Yaml.String(e["name"]),
            string? (e) => e.Get("value") is { } value ? Yaml.String(value) : "from-" + ((YamlMappingNode)e["valueFrom"]).Children.Keys.Single());

    [Fact]
    public void Every_setting_in_the_environment_is_one_the_gateway_binds_and_valid()
    {
        var known = BoundKeys();
        var environment = GatewayEnvironment();
        var settings = environment.Where(e => e.Key.StartsWith("Rollgate__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => e.Value);

        Assert.All(settings.Keys, key => Assert.True(known.Contains(Regex.Replace(key, "^Rollgate:Tokens:[^:]+:", "Rollgate:Tokens:{key}:")),
            $"{key} is not a setting the gateway reads"));
        Assert.All(environment.Keys.Where(k => !k.StartsWith("Rollgate__", StringComparison.Ordinal)),
            key => Assert.Equal("DOTNET_SHUTDOWNTIMEOUTSECONDS", key)); // checked in Termination_outlasts_the_longest_request
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddGatewaySettings()
            .BuildServiceProvider();
        GatewaySettings.ThrowIfInvalid(services); // a value the gateway would refuse at start-up fails here
        var options = services.GetRollgateOptions();

        Assert.Equal("redis", options.Store);
        Assert.Equal("from-fieldRef", settings["Rollgate:ReplicaId"]); // the pod's name: different on every replica
        Assert.Equal("from-secretKeyRef", settings["Rollgate:AdminToken"]);
        var secret = Gateway["env"].Items().Single(e => Yaml.String(e["name"]) == "Rollgate__AdminToken")["valueFrom"]["secretKeyRef"];
        Assert.Equal("rollgate-admin-token", Yaml.String(secret["name"]));

        var redisService = Object("Service", "rollgate-redis");
        var redisPort = Yaml.String(redisService["spec"]["ports"][0]["port"]);
        Assert.Equal($"rollgate-redis:{redisPort}", options.Redis);
        var redis = Object("StatefulSet", "rollgate-redis")["spec"];
        Assert.Equal(redisPort, ContainerPort(redis["template"]["spec"]["containers"][0], Yaml.String(redisService["spec"]["ports"][0]["targetPort"])).ToString());
    }

    [Fact]
    public void Ports_services_probes_and_scrape_annotations_match_the_listeners()
    {
        var options = Bound();
        var proxyPort = new Uri(options.ProxyUrl).Port;
        var adminPort = new Uri(options.AdminUrl).Port;
        var deployment = Object("Deployment", "rollgate");
        var pod = deployment["spec"]["template"];

        Assert.Equal("3", Yaml.String(deployment["spec"]["replicas"]));
        Assert.Equal(proxyPort, ContainerPort(Gateway, "proxy"));
        Assert.Equal(adminPort, ContainerPort(Gateway, "admin"));
        // Probes and Prometheus come from outside the pod: the admin listener must not be bound to loopback.
        Assert.Equal("0.0.0.0", new Uri(options.AdminUrl).Host);
        Assert.Equal(("/readyz", "admin"), Probe(Gateway["readinessProbe"]));
        Assert.Equal(("/healthz", "admin"), Probe(Gateway["livenessProbe"]));
        var annotations = pod["metadata"]["annotations"];
        Assert.Equal("true", Yaml.String(annotations["prometheus.io/scrape"]));
        Assert.Equal(adminPort.ToString(), Yaml.String(annotations["prometheus.io/port"]));
        Assert.Equal("/metrics", Yaml.String(annotations["prometheus.io/path"]));

        var labels = Labels(pod["metadata"]["labels"]);
        Assert.Equal(Labels(deployment["spec"]["selector"]["matchLabels"]), labels);
        foreach (var (service, port) in new[] { ("rollgate", "proxy"), ("rollgate-admin", "admin") })
        {
            var spec = Object("Service", service)["spec"];
            Assert.Equal("ClusterIP", Yaml.String(spec["type"]));
            Assert.Subset(labels, Labels(spec["selector"]));
            Assert.Equal(port, Yaml.String(spec["ports"][0]["targetPort"]));
        }

        var budget = Object("PodDisruptionBudget", "rollgate")["spec"];
        Assert.Subset(labels, Labels(budget["selector"]["matchLabels"]));
        Assert.Equal("1", Yaml.String(budget["maxUnavailable"]));
    }

    [Fact]
    public async Task The_probe_and_metrics_paths_answer_on_the_admin_listener_of_a_real_gateway()
    {
        await using var gateway = await GatewayInstance.StartAsync();
        var annotations = Object("Deployment", "rollgate")["spec"]["template"]["metadata"]["annotations"];

        foreach (var path in new[] { Probe(Gateway["readinessProbe"]).Path, Probe(Gateway["livenessProbe"]).Path, Yaml.String(annotations["prometheus.io/path"]) })
        {
            using var anonymous = new HttpClient { BaseAddress = new Uri(gateway.AdminUrl) }; // probes carry no token
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task Termination_outlasts_the_longest_request()
    {
        var environment = GatewayEnvironment();
        var options = Bound();
        var grace = TimeSpan.FromSeconds(int.Parse(Yaml.String(Object("Deployment", "rollgate")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"])));
        var preStop = TimeSpan.FromSeconds(int.Parse(Yaml.Strings(Gateway["lifecycle"]["preStop"]["exec"]["command"])[1]));

        // The host reads DOTNET_-prefixed variables without their prefix: the real gateway takes the value as its shutdown timeout.
        await using var app = GatewayHost.Build(
        [
            $"--Rollgate:ProxyUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:AdminUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:DataDir={GatewayInstance.NewDataDir()}",
            "--Rollgate:AdminToken=token",
            $"--{"DOTNET_SHUTDOWNTIMEOUTSECONDS"["DOTNET_".Length..]}={environment["DOTNET_SHUTDOWNTIMEOUTSECONDS"]}",
        ]);
        var shutdown = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

        Assert.True(shutdown > options.BackendTimeout, $"the host waits {shutdown} for requests in flight, a backend may take {options.BackendTimeout}");
        Assert.True(grace > preStop + shutdown, $"terminationGracePeriodSeconds {grace} must outlast the preStop pause {preStop} and the shutdown {shutdown}");
    }

    [Fact]
    public void Pods_run_as_non_root_on_a_read_only_root_with_resources_and_redis_persists()
    {
        foreach (var (kind, name) in new[] { ("Deployment", "rollgate"), ("StatefulSet", "rollgate-redis") })
        {
            var pod = Object(kind, name)["spec"]["template"]["spec"];
            Assert.Equal("true", Yaml.String(pod["securityContext"]["runAsNonRoot"]));
            var volumes = pod.Get("volumes").Items().Select(v => Yaml.String(v["name"]))
                .Concat(Object(kind, name)["spec"].Get("volumeClaimTemplates").Items().Select(v => Yaml.String(v["metadata"]["name"])))
                .ToHashSet();
            foreach (var container in pod["containers"].Items())
            {
                var security = container["securityContext"];
                Assert.Equal("true", Yaml.String(security["readOnlyRootFilesystem"]));
                Assert.Equal("false", Yaml.String(security["allowPrivilegeEscalation"]));
                Assert.Equal(["ALL"], Yaml.Strings(security["capabilities"]["drop"]));
                foreach (var bound in new[] { "requests", "limits" })
                {
                    Assert.NotNull(container["resources"][bound].Get("cpu"));
                    Assert.NotNull(container["resources"][bound].Get("memory"));
                }

                Assert.All(container["volumeMounts"].Items(), mount => Assert.Contains(Yaml.String(mount["name"]), volumes));
            }
        }

        // The gateway writes only to emptyDir volumes: its data directory and /tmp.
        var mounts = Gateway["volumeMounts"].Items().Select(m => Yaml.String(m["mountPath"])).ToArray();
        Assert.Contains(Bound().DataDir, mounts);
        Assert.Contains("/tmp", mounts);

        var redis = Object("StatefulSet", "rollgate-redis")["spec"];
        var claim = Assert.Single(redis["volumeClaimTemplates"].Items());
        var args = Yaml.Strings(redis["template"]["spec"]["containers"][0]["args"]);
        Assert.Equal("/data", Yaml.String(redis["template"]["spec"]["containers"][0]["volumeMounts"].Items()
            .Single(m => Yaml.String(m["name"]) == Yaml.String(claim["metadata"]["name"]))["mountPath"]));
        Assert.Equal("/data", args[Array.IndexOf(args, "--dir") + 1]);
        Assert.Equal("yes", args[Array.IndexOf(args, "--appendonly") + 1]);
        Assert.Equal("noeviction", args[Array.IndexOf(args, "--maxmemory-policy") + 1]);
    }

    /// <summary>The objects of the base: every document of every file its kustomization lists.</summary>
    private static IReadOnlyList<YamlNode> Render()
    {
        var kustomization = Yaml.Load(Path.Combine(Base, "kustomization.yaml"));
        return [.. Yaml.Strings(kustomization["resources"]).SelectMany(file => Yaml.LoadAll(Path.Combine(Base, file)))];
    }

    private RollgateOptions Bound()
    {
        var settings = GatewayEnvironment().Where(e => e.Key.StartsWith("Rollgate__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => e.Value);
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddGatewaySettings()
            .BuildServiceProvider();
        return services.GetRollgateOptions();
    }

    /// <summary>Every key the gateway binds, with <c>{key}</c> for a dictionary entry's name, as docs/configuration.md lists them.</summary>
    private static HashSet<string> BoundKeys()
    {
        using var services = new ServiceCollection().AddGatewaySettings().BuildServiceProvider();
        return services.GetServices<BoundSection>().SelectMany(section => Keys(section.Path, section.OptionsType)).ToHashSet(StringComparer.OrdinalIgnoreCase);

        static IEnumerable<string> Keys(string path, Type type)
            => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }).SelectMany(property =>
                property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>)
                    ? Keys($"{path}:{property.Name}:{{key}}", property.PropertyType.GetGenericArguments()[1])
                    : [$"{path}:{property.Name}"]);
    }

    private static int ContainerPort(YamlNode container, string name)
        => int.Parse(Yaml.String(container["ports"].Items().Single(p => Yaml.String(p["name"]) == name)["containerPort"]));

    private static (string Path, string Port) Probe(YamlNode probe) => (Yaml.String(probe["httpGet"]["path"]), Yaml.String(probe["httpGet"]["port"]));

    private static HashSet<KeyValuePair<string, string>> Labels(YamlNode node)
        => [.. ((YamlMappingNode)node).Children.Select(kv => KeyValuePair.Create(Yaml.String(kv.Key), Yaml.String(kv.Value)))];
}
