using System.CommandLine;
using Capture.Proxy;
using Capture.Proxy.Cli;
using Capture.Proxy.Configuration;

namespace Capture.Integration.Tests.Manifests;

/// <summary>
/// The sidecar arguments of the example pods parse and validate with capture-proxy's own binding (the code its
/// command line runs before it binds a socket), and agree with the init container's ports and mode.
/// </summary>
public sealed class ManifestSidecarArgsTests
{
    public static TheoryData<string, string> Manifests => ManifestArgsTests.Manifests;

    [Theory]
    [MemberData(nameof(Manifests))]
    public void SidecarArgs_BindAndValidateWithCaptureProxy_MatchingTheInitContainer(string file, string mode)
    {
        ExampleManifest manifest = ExampleManifest.Load(file);
        IReadOnlyList<string> args = ExampleManifest.Args(manifest.Container("capture-proxy"));
        IReadOnlyList<string> init = ExampleManifest.Args(manifest.InitContainer("capture-init"));
        RootCommand root = ProxyCommand.Create((_, _) => Task.FromResult(0));

        ParseResult parsed = root.Parse([.. args]);
        (ProxyOptions options, IReadOnlyList<string> problems) = ProxyCliOptions.Bind(parsed, _ => null);

        parsed.Errors.Select(e => e.Message).Should().BeEmpty();
        problems.Should().BeEmpty();
        options.Validate().Should().BeEmpty();
        options.OutboundPort.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be(ValueAfter(init, "-p"));
        options.InboundPort.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be(ValueAfter(init, "-z"));
        options.Mode.ToString().Should().BeEquivalentTo(mode, "the enum's name is the -m spelling, case aside");
        ValueAfter(init, "-m").Should().Be(mode);
    }

    [Fact]
    public void SidecarArgs_WithAModeCaptureProxyDoesNotKnow_AreRejected()
    {
        RootCommand root = ProxyCommand.Create((_, _) => Task.FromResult(0));

        ParseResult parsed = root.Parse(["--outbound-port", "15001", "--mode", "MIRROR"]);
        (_, IReadOnlyList<string> problems) = ProxyCliOptions.Bind(parsed, _ => null);

        problems.Should().ContainSingle().Which.Should().Contain("MIRROR");
    }

    private static string ValueAfter(IReadOnlyList<string> args, string flag)
    {
        int at = args.ToList().IndexOf(flag);
        at.Should().BeGreaterThanOrEqualTo(0, $"the init container passes {flag}");
        return args[at + 1];
    }
}
