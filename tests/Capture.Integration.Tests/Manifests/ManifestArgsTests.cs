using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Manifests;

/// <summary>
/// The example pods in examples/kubernetes carry istio-init's arguments and a sidecar spec in kube-inject's shape;
/// these tests check the arguments parse with capture-init (a real --dry-run of the built capture-init) and that the
/// pod keeps the contract the rules rely on. No root needed: a dry run changes nothing.
/// </summary>
public sealed class ManifestArgsTests
{
    public static TheoryData<string, string> Manifests => new()
    {
        { "productpage.yaml", "REDIRECT" },
        { "productpage-tproxy.yaml", "TPROXY" },
        { "productpage-hbone.yaml", "REDIRECT" },
        { "reviews-hbone.yaml", "REDIRECT" },
    };

    [Theory]
    [MemberData(nameof(Manifests))]
    public void InitContainerArgs_AreIstioInitsDefaults(string file, string mode)
    {
        ExampleManifest manifest = ExampleManifest.Load(file);

        IReadOnlyList<string> args = ExampleManifest.Args(manifest.InitContainer("capture-init"));

        args.Should().Equal(
            "istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", mode, "-i", "*", "-x", "", "-b", "*",
            "-d", "15090,15021,15020", "--log_output_level=default:info");
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void InitContainerArgs_DryRunWithCaptureInit_PrintsTheCaptureRules(string file, string mode)
    {
        IReadOnlyList<string> args = ExampleManifest.Args(ExampleManifest.Load(file).InitContainer("capture-init"));

        ProcessResult result = CaptureInit.Run([.. args, "--dry-run"], timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001", result.ToString());
        result.Stdout.Should().Contain("-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN", result.ToString());
        if (mode == "TPROXY")
        {
            result.Stdout.Should().Contain("-j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006", result.ToString());
        }
        else
        {
            result.Stdout.Should().Contain("-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006", result.ToString());
        }
    }

    [Fact]
    public void InitContainerArgs_WithAModeCaptureInitDoesNotKnow_FailWithExitCode1()
    {
        ProcessResult result = CaptureInit.Run(["istio-iptables", "-p", "15001", "-m", "MIRROR", "--dry-run"], timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Should().Contain("MIRROR", result.ToString());
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void InitContainer_RunsAsRootWithNetAdminAndNetRaw(string file, string mode)
    {
        Dictionary<string, object?> init = ExampleManifest.Load(file).InitContainer("capture-init");

        ManifestYaml.At(init, "securityContext", "runAsUser").Should().Be("0", mode);
        ((List<object?>)ManifestYaml.At(init, "securityContext", "capabilities", "add")!).Should().BeEquivalentTo(["NET_ADMIN", "NET_RAW"]);
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Sidecar_HasReadinessProbeScrapeAnnotationsAndGroup1337(string file, string mode)
    {
        ExampleManifest manifest = ExampleManifest.Load(file);

        Dictionary<string, object?> sidecar = manifest.Container("capture-proxy");

        ManifestYaml.At(sidecar, "readinessProbe", "httpGet", "path").Should().Be("/healthz/ready");
        ManifestYaml.At(sidecar, "readinessProbe", "httpGet", "port").Should().Be("15021");
        ManifestYaml.At(sidecar, "securityContext", "runAsGroup").Should().Be("1337");
        ManifestYaml.At(sidecar, "securityContext", "readOnlyRootFilesystem").Should().Be("true");
        manifest.Annotations.Should().Contain("prometheus.io/scrape", "true")
            .And.Contain("prometheus.io/port", "15090")
            .And.Contain("prometheus.io/path", "/stats/prometheus");
        // REDIRECT needs no capability and runs as 1337; TPROXY needs CAP_NET_ADMIN, which Kubernetes grants to root
        // only, so (as Istio's injector does) it runs as root in group 1337 and the --gid-owner rules exempt it.
        if (mode == "TPROXY")
        {
            ManifestYaml.At(sidecar, "securityContext", "runAsUser").Should().Be("0");
            ((List<object?>)ManifestYaml.At(sidecar, "securityContext", "capabilities", "add")!).Should().Equal("NET_ADMIN");
        }
        else
        {
            ManifestYaml.At(sidecar, "securityContext", "runAsUser").Should().Be("1337");
            ((Dictionary<string, object?>)ManifestYaml.At(sidecar, "securityContext", "capabilities")!).Should().NotContainKey("add");
        }
    }
}
