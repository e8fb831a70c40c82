using System.Net;
using BenchmarkDotNet.Attributes;
using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Benchmarks;

/// <summary>
/// The pure part of a capture-init run: build the plan from the injector's default flags (IPv4 + IPv6, DNS on),
/// render the iptables-restore payload, and parse iptables-save text back for the state check. These run once per
/// init container start, so they must stay far below the ~6 ms one iptables-restore costs.
/// </summary>
[MemoryDiagnoser]
public class RulePipelineBenchmarks
{
    private static readonly RuleOptions s_options = RuleOptions.Default with
    {
        InboundAllPorts = true,
        LocalExcludePorts = [15090, 15021, 15020],
        OutboundAllCidrs = true,
        RedirectDns = true,
    };

    private static readonly HostFacts s_host = HostFacts.None with { Ipv6Enabled = true, DnsServers = [IPAddress.Parse("10.96.0.10"), IPAddress.Parse("fd00::a")] };

    private readonly CaptureRuleBuilder _builder = new();
    private RuleSet _plan = null!;
    private string _payload = "";

    [GlobalSetup]
    public void Setup()
    {
        _plan = _builder.Build(s_options, s_host);
        _payload = IptablesRestoreRenderer.Render(_plan.Ipv4Rules);
    }

    [Benchmark]
    public int Build() => _builder.Build(s_options, s_host).Ipv4Rules.Count;

    [Benchmark]
    public string RenderIpv4() => IptablesRestoreRenderer.Render(_plan.Ipv4Rules);

    [Benchmark]
    public object ParseIpv4() => IptablesSaveParser.Parse(_payload);
}
