using System.Net;
using Capture.Init.Cli;
using Capture.Init.Configuration;
using Capture.Init.Console;
using Capture.Init.Tests.Fakes;

namespace Capture.Init.Tests.Cli;

[Collection(CliTestGroup.Name)]
public class CaptureOptionsBinderTests
{
    private readonly FakeProcessEnvironment _environment = new();

    private BindResult Bind(params string[] args)
    {
        using var console = new BufferedConsole();
        var services = new CaptureCliServices(console, _environment, new FakeHostFactsReader(), new RecordingNamespaceRunner(), _ => new RecordingApplier());
        System.CommandLine.ParseResult parseResult = CaptureCli.Parse(CaptureCli.CreateRootCommand(services), args);
        parseResult.Errors.Should().BeEmpty();
        return CaptureOptionsBinder.Bind(parseResult, _environment);
    }

    private CaptureOptions BindOk(params string[] args)
    {
        BindResult result = Bind(args);
        result.Errors.Should().BeEmpty();
        return result.Options;
    }

    [Fact]
    public void Bind_NoArguments_IstioDefaults()
    {
        CaptureOptions options = BindOk();

        options.Should().BeEquivalentTo(CaptureOptions.Default);
    }

    [Fact]
    public void Bind_InjectorArguments_Verbatim()
    {
        CaptureOptions options = BindOk("-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020");

        options.Rules.ProxyPort.Should().Be(15001);
        options.Rules.InboundCapturePort.Should().Be(15006);
        options.Rules.ProxyUids.Should().Equal("1337");
        options.Rules.ProxyGids.Should().Equal("1337");
        options.Rules.InterceptionMode.Should().Be(InterceptionMode.Redirect);
        options.Rules.OutboundAllCidrs.Should().BeTrue();
        options.Rules.OutboundExcludeCidrs.Should().BeEmpty();
        options.Rules.InboundAllPorts.Should().BeTrue();
        options.Rules.LocalExcludePorts.Should().Equal(15090, 15021, 15020);
    }

    [Fact]
    public void Bind_LeadingIstioIptablesWord_IsIgnored()
    {
        CaptureOptions options = BindOk("istio-iptables", "-p", "16001");

        options.Rules.ProxyPort.Should().Be(16001);
    }

    [Fact]
    public void Bind_EmptyListItems_AreIgnored()
    {
        CaptureOptions options = BindOk("-b", "9080,", "-d", "", "-q", ",3306,,5432", "-o", " 25 , 465 ");

        options.Rules.InboundPorts.Should().Equal(9080);
        options.Rules.LocalExcludePorts.Should().BeEmpty();
        options.Rules.OutboundPorts.Should().Equal(3306, 5432);
        options.Rules.OutboundExcludePorts.Should().Equal(25, 465);
    }

    [Theory]
    [InlineData(new[] { "--dry-run" }, true)]
    [InlineData(new[] { "-n" }, true)]
    [InlineData(new[] { "--dry-run=true" }, true)]
    [InlineData(new[] { "--dry-run=false" }, false)]
    [InlineData(new[] { "--dry-run", "false" }, false)]
    [InlineData(new[] { "--dry-run=1" }, true)]
    [InlineData(new[] { "--dry-run", "-p", "15001" }, true)]
    [InlineData(new string[0], false)]
    public void Bind_BooleanFlagForms_GoStyle(string[] args, bool expected)
    {
        CaptureOptions options = BindOk(args);

        options.Run.DryRun.Should().Be(expected);
    }

    [Fact]
    public void Bind_FlagGivenTwice_LastWinsAsInGo()
    {
        CaptureOptions options = BindOk("-p", "15001", "--envoy-port", "16001", "-n", "--dry-run=false");

        options.Rules.ProxyPort.Should().Be(16001);
        options.Run.DryRun.Should().BeFalse();
    }

    [Fact]
    public void Bind_LogFlagsIstioStyle_Accepted()
    {
        CaptureOptions options = BindOk("--log_output_level=default:info", "--log_as_json");

        options.Run.LogOutputLevel.Should().Be("default:info");
        options.Run.LogAsJson.Should().BeTrue();
    }

    [Fact]
    public void Bind_LongFlagWithEquals_Accepted()
    {
        CaptureOptions options = BindOk("--envoy-port=16001", "--istio-service-cidr=10.0.0.0/8,fd00::/8");

        options.Rules.ProxyPort.Should().Be(16001);
        options.Rules.OutboundCidrs.Should().Equal(IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8"));
    }

    [Fact]
    public void Bind_EnvironmentVariable_UsedWhenNoFlag()
    {
        _environment.Set("INBOUND_CAPTURE_PORT", "16006").Set("ISTIO_INBOUND_PORTS", "*").Set("ISTIO_INBOUND_INTERCEPTION_MODE", "TPROXY");

        CaptureOptions options = BindOk();

        options.Rules.InboundCapturePort.Should().Be(16006);
        options.Rules.InboundAllPorts.Should().BeTrue();
        options.Rules.InterceptionMode.Should().Be(InterceptionMode.TProxy);
    }

    [Fact]
    public void Bind_FlagAndEnvironment_FlagWins()
    {
        _environment.Set("INBOUND_CAPTURE_PORT", "16006");

        CaptureOptions options = BindOk("-z", "17006");

        options.Rules.InboundCapturePort.Should().Be(17006);
    }

    [Fact]
    public void Bind_ExplicitEmptyFlag_WinsOverEnvironment()
    {
        _environment.Set("ISTIO_SERVICE_EXCLUDE_CIDR", "10.0.0.0/8");

        CaptureOptions options = BindOk("-x", "");

        options.Rules.OutboundExcludeCidrs.Should().BeEmpty();
    }

    [Theory]
    [InlineData("REDIRECT_DNS", "ISTIO_META_DNS_CAPTURE")]
    [InlineData("DROP_INVALID", "INVALID_DROP")]
    [InlineData("DUAL_STACK", "ISTIO_DUAL_STACK")]
    public void Bind_BothEnvironmentVariables_AdditionalWinsOverPrimary(string primary, string additional)
    {
        _environment.Set(primary, "false").Set(additional, "true");

        CaptureOptions options = BindOk();

        (options.Rules.RedirectDns || options.Rules.DropInvalid || options.Run.DualStack).Should().BeTrue();
    }

    [Fact]
    public void Bind_AdditionalEnvironmentFalse_WinsOverPrimaryTrue()
    {
        _environment.Set("REDIRECT_DNS", "true").Set("ISTIO_META_DNS_CAPTURE", "false");

        CaptureOptions options = BindOk();

        options.Rules.RedirectDns.Should().BeFalse();
    }

    [Fact]
    public void Bind_FlagFalse_WinsOverEnvironmentTrue()
    {
        _environment.Set("ISTIO_META_DNS_CAPTURE", "true");

        CaptureOptions options = BindOk("--redirect-dns=false");

        options.Rules.RedirectDns.Should().BeFalse();
    }

    [Fact]
    public void Bind_EmptyEnvironmentVariable_CountsAsUnset()
    {
        _environment.Set("ISTIO_META_DNS_CAPTURE", "").Set("REDIRECT_DNS", "true").Set("PROXY_UID", "");

        CaptureOptions options = BindOk();

        options.Rules.RedirectDns.Should().BeTrue();
        options.Rules.ProxyUids.Should().Equal("1337");
    }

    [Fact]
    public void Bind_EnvoyUserInPasswd_DefaultsUidAndGidToIt()
    {
        _environment.Set("ENVOY_USER", "envoy").WithUser("envoy", "101");

        CaptureOptions options = BindOk();

        options.Rules.ProxyUids.Should().Equal("101");
        options.Rules.ProxyGids.Should().Equal("101");
    }

    [Fact]
    public void Bind_DefaultEnvoyUserIstioProxy_LooksItUp()
    {
        _environment.WithUser("istio-proxy", "1337000");

        CaptureOptions options = BindOk();

        options.Rules.ProxyUids.Should().Equal("1337000");
    }

    [Fact]
    public void Bind_EnvoyUserMissing_Defaults1337()
    {
        _environment.Set("ENVOY_USER", "nobody-here");

        CaptureOptions options = BindOk();

        options.Rules.ProxyUids.Should().Equal("1337");
    }

    [Fact]
    public void Bind_UidsWithoutGids_GidsFollowUids()
    {
        CaptureOptions options = BindOk("-u", "1337,1338");

        options.Rules.ProxyGids.Should().Equal("1337", "1338");
    }

    [Fact]
    public void Bind_GidsFromEnvironment_IndependentOfUids()
    {
        _environment.Set("PROXY_GID", "2000");

        CaptureOptions options = BindOk("-u", "1337");

        options.Rules.ProxyGids.Should().Equal("2000");
    }

    [Fact]
    public void Bind_OwnerGroupsEnvironment_IncludeAndExclude()
    {
        _environment.Set("ISTIO_OUTBOUND_OWNER_GROUPS", "java,1234,");

        CaptureOptions options = BindOk();

        options.Rules.OwnerGroupsInclude.Should().Equal("java", "1234");
        options.Rules.OwnerGroupsExclude.Should().BeEmpty();
    }

    [Fact]
    public void Bind_OwnerGroupsStarWithExclude_UsesExclude()
    {
        _environment.Set("ISTIO_OUTBOUND_OWNER_GROUPS", "*").Set("ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE", "1001,1002");

        CaptureOptions options = BindOk();

        options.Rules.OwnerGroupsInclude.Should().BeEmpty();
        options.Rules.OwnerGroupsExclude.Should().Equal("1001", "1002");
    }

    [Fact]
    public void Bind_OwnerGroupsListWithExclude_IgnoresExcludeWithWarning()
    {
        _environment.Set("ISTIO_OUTBOUND_OWNER_GROUPS", "1234").Set("ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE", "1001");

        BindResult result = Bind();

        result.Options.Rules.OwnerGroupsExclude.Should().BeEmpty();
        result.Warnings.Should().ContainSingle().Which.Should().Contain("ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE is ignored");
    }

    [Fact]
    public void Bind_LoopbackCidrEnvironment_Parsed()
    {
        _environment.Set("ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR", "127.0.0.0/8");

        CaptureOptions options = BindOk();

        options.Rules.Ipv4LoopbackCidr.Should().Be(IPNetwork.Parse("127.0.0.0/8"));
    }

    [Fact]
    public void Bind_CidrWithHostBits_MaskedAsIptablesDoes()
    {
        CaptureOptions options = BindOk("-i", "10.1.2.3/8");

        options.Rules.OutboundCidrs.Should().Equal(IPNetwork.Parse("10.0.0.0/8"));
    }

    [Theory]
    [InlineData("auto", "Auto")]
    [InlineData("true", "On")]
    [InlineData("false", "Off")]
    [InlineData("AUTO", "Auto")]
    public void Bind_Ipv6Values_Parsed(string value, string expected)
    {
        CaptureOptions options = BindOk("--ipv6", value);

        options.Run.Ipv6Mode.Should().Be(Enum.Parse<Ipv6Mode>(expected));
    }

    [Fact]
    public void Bind_AdditionsAndApplyFlags_Parsed()
    {
        CaptureOptions options = BindOk("--resolv-conf", "/tmp/resolv", "--network-namespace", "/var/run/netns/pod", "--force-iptables-binary", "legacy",
            "--reconcile", "--cleanup-only", "--force-apply", "--skip-rule-apply", "--run-validation", "--iptables-probe-port", "15999",
            "--probe-timeout", "1m30s", "-t", "1500", "-r", "200", "-c", "eth1", "-k", "kv0", "--capture-all-dns", "--dual-stack");

        options.Should().BeEquivalentTo(new CaptureOptions(
            RuleOptions.Default with
            {
                TProxyMark = "1500",
                TProxyRouteTable = "200",
                ExcludeInterfaces = ["eth1"],
                KubeVirtInterfaces = ["kv0"],
                CaptureAllDns = true,
            },
            RunOptions.Default with
            {
                ResolvConfPath = "/tmp/resolv",
                NetworkNamespace = "/var/run/netns/pod",
                ForceIptablesBinary = "legacy",
                Reconcile = true,
                CleanupOnly = true,
                ForceApply = true,
                SkipRuleApply = true,
                RunValidation = true,
                ProbePort = 15999,
                ProbeTimeout = TimeSpan.FromSeconds(90),
                DualStack = true,
            }));
    }

    [Fact]
    public void Bind_EveryFlagHasItsRulesMdEnvironmentVariable()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["--envoy-port"] = [],
            ["--inbound-capture-port"] = ["INBOUND_CAPTURE_PORT"],
            ["--istio-inbound-ports"] = ["ISTIO_INBOUND_PORTS"],
            ["--istio-local-outbound-ports-exclude"] = ["ISTIO_LOCAL_OUTBOUND_PORTS_EXCLUDE"],
            ["--redirect-dns"] = ["REDIRECT_DNS", "ISTIO_META_DNS_CAPTURE"],
            ["--network-namespace"] = ["NETWORK_NAMESPACE"],
            ["--log_as_json"] = [],
        };

        foreach ((string flag, string[] environment) in expected)
        {
            CaptureCliOptions.All.Single(f => f.LongName == flag).Environment.Should().Equal(environment);
        }

        foreach (CliFlag flag in CaptureCliOptions.All.Where(f => f.Environment.Count > 0))
        {
            // Primary env var = upper-snake of the long flag (docs/rules.md).
            flag.Environment[0].Should().Be(flag.LongName.TrimStart('-').Replace('-', '_').ToUpperInvariant());
        }
    }
}
