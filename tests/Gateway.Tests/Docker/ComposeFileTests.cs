using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Entitlements.Tests.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Entitlements.Tests.Docker;

/// <summary>
/// <c>docker-compose.yml</c> and the Dockerfiles, checked statically (no Docker engine here or in CI):
/// the topology, the cluster configuration every service gets, multi-stage builds running as a
/// non-root user, files that exist, entry points that run the project's own assembly, and settings that
/// the applications document. CI also runs <c>docker-compose config</c> on the file.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string Root = RepositoryFolders.Root;
    private readonly Dictionary<object, object> _services = Map(Compose()["services"]);

    [Fact]
    public void Compose_Services_AreTheWholeCluster()
    {
        Assert.Equal(["gateway", "postgres", "silo", "xbox-simulator"], _services.Keys.Select(k => (string)k).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compose_Postgres_IsTheOfficialImageOnAVolumeWithAHealthcheck()
    {
        var postgres = Service("postgres");

        Assert.Matches("^postgres:[0-9]+$", (string)postgres["image"]);
        Assert.Equal(["postgres-data:/var/lib/postgresql/data"], List(postgres["volumes"]));
        Assert.Contains(Map(Compose()["volumes"]).Keys, k => (string)k == "postgres-data");
        Assert.Equal(["CMD-SHELL", "pg_isready -U entitlements -d entitlements"], List(Map(postgres["healthcheck"])["test"]));
        var environment = Environment("postgres");
        Assert.Equal("entitlements", environment["POSTGRES_USER"]);
        Assert.Equal("entitlements", environment["POSTGRES_DB"]);
    }

    [Fact]
    public void Compose_Silo_RunsTwoReplicasInClusterModeOnPostgres()
    {
        var silo = Service("silo");

        Assert.Equal("2", (string)Map(silo["deploy"])["replicas"]);
        Assert.False(silo.ContainsKey("ports"), "silos publish no ports: the gateway reaches them on the compose network");
        Assert.False(silo.ContainsKey("container_name"), "a fixed container name would allow one replica only");
        AssertInClusterMode("silo");
        Assert.Equal("service_healthy", (string)Map(Map(silo["depends_on"])["postgres"])["condition"]);

        // The Xbox consume runs in the player grain: the silos are the ones that call the collections service.
        Assert.Equal("http://xbox-simulator:5090/", Environment("silo")["Xbox__CollectionsUrl"]);
        Assert.Equal("service_started", (string)Map(Map(silo["depends_on"])["xbox-simulator"])["condition"]);
    }

    [Fact]
    public void Compose_Gateway_PublishesPort5080AndReachesTheSimulator()
    {
        var gateway = Service("gateway");
        var environment = Environment("gateway");

        Assert.Equal(["5080:5080"], List(gateway["ports"]));
        AssertInClusterMode("gateway");
        Assert.False(environment.ContainsKey("Xbox__CollectionsUrl"), "a gateway in cluster mode is an Orleans client: it runs no Xbox consume");
        // The simulator's key volume, read-only, holds the files the gateway is told to read.
        Assert.Contains("xbox-keys:/xbox-keys:ro", List(gateway["volumes"]));
        Assert.Contains("xbox-keys:/data/keys", List(Service("xbox-simulator")["volumes"]));
        Assert.Equal("/xbox-keys/relying-party.key.pem", environment["Xbox__RelyingPartyKeyFile"]);
        Assert.Equal("/xbox-keys/xsts-signing.jwks.json", environment["Xbox__SigningKeysFile"]);
        Assert.Contains("Simulator__KeysDirectory=/data/keys", Dockerfile.Read(Path.Combine(Root, "docker", "xbox-simulator.Dockerfile")).Final.Arguments("ENV").SelectMany(e => e.Split(' ')));
    }

    /// <summary>On the host's loopback only: its admin routes mint XSTS tokens the gateway accepts, to anyone who reaches them.</summary>
    [Fact]
    public void Compose_XboxSimulator_PublishesPort5090OnLoopbackOnly()
    {
        Assert.Equal(["127.0.0.1:5090:5090"], List(Service("xbox-simulator")["ports"]));
    }

    [Fact]
    public void Compose_EveryBuild_IsAnExistingDockerfileFromTheRepositoryRoot()
    {
        var builds = _services.Values.Select(Map).Where(s => s.ContainsKey("build")).Select(s => Map(s["build"])).ToList();

        Assert.Equal(3, builds.Count);
        Assert.All(builds, build =>
        {
            Assert.Equal(".", (string)build["context"]);
            Assert.True(File.Exists(Path.Combine(Root, (string)build["dockerfile"])), $"{build["dockerfile"]} does not exist");
        });
    }

    /// <summary>Every setting a service gets (compose environment, Dockerfile ENV) is one the documentation (README.md and docs/) names.</summary>
    [Fact]
    public void Compose_EverySettingOfTheServices_IsDocumented()
    {
        var documentation = string.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Append(Path.Combine(Root, "README.md")).Select(File.ReadAllText));
        var settings = _services.Keys.Select(k => (string)k).Where(name => Service(name).ContainsKey("build")).SelectMany(name => Environment(name).Keys)
            .Concat(DockerfilePaths().SelectMany(path => Dockerfile.Read(path).Final.Arguments("ENV")).SelectMany(EnvironmentNames))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(settings);
        var undocumented = settings.Where(name => !documentation.Contains($"`{name.Replace("__", ":", StringComparison.Ordinal)}`", StringComparison.Ordinal)).ToList();
        Assert.True(undocumented.Count == 0, "not documented in README.md or docs/: " + string.Join(", ", undocumented));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_Stages_BuildWithTheSdkAndRunOnAspNetAsANonRootUser(string dockerfile)
    {
        var file = Dockerfile.Read(Path.Combine(Root, dockerfile));

        Assert.True(file.Stages.Count >= 2, "a multi-stage build");
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", file.Stages[0].Image);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", file.Final.Image);
        Assert.Contains(file.Final.Arguments("COPY"), copy => copy.StartsWith($"--from={file.Stages[0].Name} ", StringComparison.Ordinal));
        var user = file.Final.Arguments("USER").LastOrDefault();
        Assert.True(user is not null, "the final stage sets no USER: the container would run as root");
        Assert.DoesNotContain(user.Split(':')[0], (string[])["root", "0"]);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_Copies_FilesThatExist(string dockerfile)
    {
        var copies = Dockerfile.Read(Path.Combine(Root, dockerfile)).Stages.SelectMany(s => s.Instructions)
            .Where(i => i.Keyword is "COPY" or "ADD" && !i.Arguments.StartsWith("--from=", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(copies);
        var sources = copies.SelectMany(c => c.Words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1)).ToList();
        Assert.All(sources, source => Assert.True(
            File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)),
            $"{dockerfile} copies {source}, which is not in the repository"));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_Entrypoint_RunsThePublishedProjectsAssembly(string dockerfile)
    {
        var file = Dockerfile.Read(Path.Combine(Root, dockerfile));
        var publish = Assert.Single(file.Stages[0].Arguments("RUN"), run => run.StartsWith("dotnet publish ", StringComparison.Ordinal));
        var project = Path.Combine(Root, publish.Split(' ')[2]);
        Assert.True(File.Exists(project), $"{dockerfile} publishes {project}, which does not exist");
        var assembly = XDocument.Load(project).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);

        var entrypoint = file.Final.Instructions.Last(i => i.Keyword == "ENTRYPOINT").Words;

        var dotnet = entrypoint.ToList().IndexOf("dotnet");
        Assert.True(dotnet >= 0 && dotnet + 1 < entrypoint.Count, $"the entry point runs no assembly: {string.Join(' ', entrypoint)}");
        Assert.Equal(assembly + ".dll", entrypoint[dotnet + 1]);
        foreach (var wrapper in entrypoint.Take(dotnet))
        {
            // A wrapper script copied into the image must exist and hand over to the command it is given.
            var copied = file.Final.Arguments("COPY").Select(c => c.Split(' ')).Single(c => c[^1] == wrapper)[0];
            var script = File.ReadAllText(Path.Combine(Root, copied));
            Assert.StartsWith("#!/bin/sh", script, StringComparison.Ordinal);
            Assert.Contains("exec \"$@\"", script, StringComparison.Ordinal);
            Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(Path.Combine(Root, copied)) & UnixFileMode.UserExecute) != 0, $"{copied} is not executable");
        }
    }

    [Fact]
    public void DockerIgnore_LeavesOutBuildOutputsAndLocalData()
    {
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string>(["**/bin/", "**/obj/", "data/", ".git/"], StringComparer.Ordinal), ignored);
    }

    public static TheoryData<string> Dockerfiles() => [.. DockerfilePaths().Select(p => Path.GetRelativePath(Root, p))];

    private static IEnumerable<string> DockerfilePaths() => Directory.GetFiles(Path.Combine(Root, "docker"), "*.Dockerfile").Order(StringComparer.Ordinal);

    private void AssertInClusterMode(string service)
    {
        var environment = Environment(service);
        Assert.Equal("Cluster", environment["Orleans__Mode"]);
        Assert.Equal("PostgreSql", environment["Storage__Provider"]);
        Assert.Matches("^Host=postgres;Port=5432;Username=entitlements;Password=[^;]+;Database=entitlements$", environment["Storage__ConnectionString"]);
        Assert.Equal("entitlements", environment["Orleans__ClusterId"]);
    }

    private Dictionary<object, object> Service(string name) => Map(_services[name]);

    private Dictionary<string, string> Environment(string service) =>
        Service(service).TryGetValue("environment", out var environment)
            ? Map(environment).ToDictionary(p => (string)p.Key, p => Convert.ToString(p.Value, CultureInfo.InvariantCulture)!, StringComparer.Ordinal)
            : [];

    /// <summary>The variable names of a Dockerfile <c>ENV a=1 b=2</c>.</summary>
    private static IEnumerable<string> EnvironmentNames(string arguments) =>
        EnvironmentAssignment().Matches(arguments).Select(m => m.Groups["name"].Value);

    /// <summary>The compose file with its YAML merge keys (<c>&lt;&lt;: *cluster</c>) applied.</summary>
    private static Dictionary<object, object> Compose()
    {
        using var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"));
        return Map(new DeserializerBuilder().Build().Deserialize<object>(new MergingParser(new Parser(reader)))!);
    }

    private static Dictionary<object, object> Map(object value) => Assert.IsType<Dictionary<object, object>>(value);

    private static List<string> List(object value) => [.. Assert.IsType<List<object>>(value).Select(v => (string)v)];

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)=")]
    private static partial Regex EnvironmentAssignment();
}
