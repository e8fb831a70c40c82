using System.CommandLine;
using System.Net;
using System.Text.RegularExpressions;
using Capture.Proxy;
using Capture.Proxy.Cli;
using Capture.Proxy.Configuration;
using Capture.Proxy.Workloads;

namespace Capture.Integration.Tests.Manifests;

/// <summary>
/// The HBONE pair (productpage-hbone.yaml, reviews-hbone.yaml): valid Kubernetes objects; each pod's credentials a
/// Secret in Istio's file-mounted shape at /etc/certs and the workloads file a ConfigMap, wired to the sidecar by the
/// environment names capture-proxy binds (OUTPUT_CERTS, LOCAL_XDS_PATH); the workloads file parses with the proxy's
/// own parser and names both pods. scripts/pods.sh plays the pair; these checks need no root and no podman.
/// </summary>
public sealed class ManifestHboneTests
{
    private static readonly Regex DnsSubdomain = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant);

    public static TheoryData<string, string> Pods => new()
    {
        { "productpage-hbone.yaml", "bookinfo-productpage" },
        { "reviews-hbone.yaml", "bookinfo-reviews" },
    };

    [Theory]
    [MemberData(nameof(Pods))]
    public void Documents_AreV1ObjectsOfKnownKindsWithValidNames(string file, string serviceAccount)
    {
        ExampleManifest manifest = ExampleManifest.Load(file);

        manifest.Documents.Should().NotBeEmpty();
        foreach (object? document in manifest.Documents)
        {
            ManifestYaml.At(document, "apiVersion").Should().Be("v1", file);
            ExampleManifest.Kind(document).Should().BeOneOf(["ServiceAccount", "Secret", "ConfigMap", "Service", "Pod"], file);
            string name = (string)ManifestYaml.At(document, "metadata", "name")!;
            name.Should().MatchRegex(DnsSubdomain.ToString());
            name.Length.Should().BeLessThanOrEqualTo(253, name);
        }

        ManifestYaml.At(manifest.Root, "spec", "serviceAccountName").Should().Be(serviceAccount);
        manifest.Document("ServiceAccount", serviceAccount).Should().NotBeNull();
    }

    [Theory]
    [MemberData(nameof(Pods))]
    public void Secret_IsIstioKeyAndCertWithPlaceholders_MountedReadOnlyAtEtcCertsInTheSidecarOnly(string file, string serviceAccount)
    {
        ExampleManifest manifest = ExampleManifest.Load(file);
        string secretName = "istio." + serviceAccount;

        Dictionary<string, object?> secret = manifest.Document("Secret", secretName);

        secret["type"].Should().Be("istio.io/key-and-cert");
        var data = (Dictionary<string, object?>)secret["data"]!;
        data.Keys.Should().BeEquivalentTo(["cert-chain.pem", "key.pem", "root-cert.pem"]);
        data.Values.Should().AllBeEquivalentTo("", "the manifest carries placeholders; the comment says how to fill them");
        Dictionary<string, object?> volume = Volume(manifest, "secret");
        ManifestYaml.At(volume, "secret", "secretName").Should().Be(secretName);
        ManifestYaml.At(volume, "secret", "optional").Should().Be("false");
        Dictionary<string, object?> mount = Mount(manifest.Container("capture-proxy"), (string)volume["name"]!)!;
        mount["mountPath"].Should().Be("/etc/certs");
        mount["readOnly"].Should().Be("true");
        foreach (var container in Containers(manifest).Where(c => (string?)c["name"] != "capture-proxy"))
        {
            Mount(container, (string)volume["name"]!).Should().BeNull($"only the sidecar reads the key ({container["name"]} mounts it)");
        }
    }

    [Theory]
    [MemberData(nameof(Pods))]
    public void SidecarEnvironment_BindsTheMountedCertsAndWorkloadsFile(string file, string serviceAccount)
    {
        ExampleManifest manifest = ExampleManifest.Load(file);
        Dictionary<string, object?> sidecar = manifest.Container("capture-proxy");
        Dictionary<string, string> env = ((List<object?>)sidecar["env"]!).Cast<Dictionary<string, object?>>()
            .ToDictionary(e => (string)e["name"]!, e => (string)e["value"]!, StringComparer.Ordinal);
        RootCommand root = ProxyCommand.Create((_, _) => Task.FromResult(0));

        (ProxyOptions options, IReadOnlyList<string> problems) = ProxyCliOptions.Bind(
            root.Parse([.. ExampleManifest.Args(sidecar)]), name => env.GetValueOrDefault(name));

        problems.Should().BeEmpty();
        options.Validate().Should().BeEmpty();
        options.CertificatesDirectory.Should().Be("/etc/certs", serviceAccount);
        options.WorkloadsFile.Should().Be("/etc/capture/workloads.yaml");
        Dictionary<string, object?> configMapVolume = Volume(manifest, "configMap");
        ManifestYaml.At(configMapVolume, "configMap", "name").Should().Be("capture-workloads");
        Mount(sidecar, (string)configMapVolume["name"]!)!["mountPath"].Should().Be(Path.GetDirectoryName(options.WorkloadsFile));
        ((Dictionary<string, object?>)manifest.Document("ConfigMap", "capture-workloads")["data"]!)
            .Should().ContainKey(Path.GetFileName(options.WorkloadsFile!));
        ((List<object?>)ManifestYaml.At(sidecar, "ports")!).Cast<Dictionary<string, object?>>()
            .Select(p => p["containerPort"]).Should().Contain("15008", "the sidecar serves HBONE on 15008");
    }

    [Fact]
    public void WorkloadsFile_ParsesWithTheProxy_NamesBothPodsAsHboneWorkloadsAndReviewsVip()
    {
        ExampleManifest productpage = ExampleManifest.Load("productpage-hbone.yaml");
        ExampleManifest reviews = ExampleManifest.Load("reviews-hbone.yaml");

        LocalConfig config = LocalConfigParser.Parse(WorkloadsYaml(productpage), "productpage-hbone.yaml");

        config.Workloads.Select(w => (w.Name, w.Namespace, w.ServiceAccount, w.Protocol)).Should().BeEquivalentTo(new[]
        {
            ("productpage-v1-hbone", "default", "bookinfo-productpage", WorkloadProtocol.Hbone),
            ("reviews-v1-hbone", "default", "bookinfo-reviews", WorkloadProtocol.Hbone),
        });
        config.Workloads[0].Name.Should().Be((string?)ManifestYaml.At(productpage.Root, "metadata", "name"));
        config.Workloads[1].Name.Should().Be((string?)ManifestYaml.At(reviews.Root, "metadata", "name"));
        config.Workloads.Should().OnlyContain(w => w.WorkloadIps.Count == 1);
        MeshService service = config.Services.Should().ContainSingle().Subject;
        service.Hostname.Should().Be("reviews.default.svc.cluster.local");
        Dictionary<string, object?> kubeService = reviews.Document("Service", service.Name);
        service.Vips.Select(v => v.Address).Should().Equal(IPAddress.Parse((string)ManifestYaml.At(kubeService, "spec", "clusterIP")!));
        service.Ports.Should().Equal(new Dictionary<int, int> { [9080] = 9080 });
        ManifestYaml.At(kubeService, "spec", "selector", "app").Should().Be(ManifestYaml.At(reviews.Root, "metadata", "labels", "app"));
        config.Workloads[1].Services.Should().ContainKey(service.Key);
    }

    [Fact]
    public void WorkloadsFile_IsTheSameInBothFiles()
    {
        string productpage = WorkloadsYaml(ExampleManifest.Load("productpage-hbone.yaml"));
        string reviews = WorkloadsYaml(ExampleManifest.Load("reviews-hbone.yaml"));

        productpage.Should().Be(reviews, "both files carry the one ConfigMap capture-workloads; either may be applied first");
    }

    private static string WorkloadsYaml(ExampleManifest manifest) =>
        (string)ManifestYaml.At(manifest.Document("ConfigMap", "capture-workloads"), "data", "workloads.yaml")!;

    private static Dictionary<string, object?> Volume(ExampleManifest manifest, string type) =>
        ((List<object?>)ManifestYaml.At(manifest.Root, "spec", "volumes")!).Cast<Dictionary<string, object?>>()
            .Should().ContainSingle(v => v.ContainsKey(type), $"{manifest.FileName} has one {type} volume").Subject;

    private static IEnumerable<Dictionary<string, object?>> Containers(ExampleManifest manifest) =>
        ((List<object?>)ManifestYaml.At(manifest.Root, "spec", "containers")!)
            .Concat((List<object?>)ManifestYaml.At(manifest.Root, "spec", "initContainers")!)
            .Cast<Dictionary<string, object?>>();

    private static Dictionary<string, object?>? Mount(Dictionary<string, object?> container, string volume) =>
        container.TryGetValue("volumeMounts", out object? mounts) && mounts is List<object?> list
            ? list.Cast<Dictionary<string, object?>>().SingleOrDefault(m => (string?)m["name"] == volume)
            : null;
}
