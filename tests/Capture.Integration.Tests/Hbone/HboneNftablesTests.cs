using System.Net;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// HBONE between pods whose rules capture-init applied in Istio's nftables mode (<c>--native-nftables</c>), with the
/// published proxies, REDIRECT mode: the same tunnel as under iptables. A's 15001 takes the app's connection; B's
/// 15008 is the proxy's (nat <c>istio-inbound</c> returns it); B's proxy reaches its app from 127.0.0.6/::6, and that
/// connection is not captured again. TPROXY pods under nftables: <see cref="HboneTproxyTests"/>.
/// </summary>
public sealed class HboneNftablesTests
{
    [RequiresRootTheory(Tools = ["setpriv", "openssl", "nft"])]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task NftablesPods_PodIpAndServiceVip_ReachBsAppThroughTheTunnelFromThePassthroughAddress(string family)
    {
        PodFamilies families = Enum.Parse<PodFamilies>(family);
        using HbonePods pods = await HbonePods.StartAsync(families: families, nftables: true);
        IPEndPoint vip = families == PodFamilies.IPv6 ? HbonePods.Vip6EndPoint : HbonePods.VipEndPoint;

        string byIp = await pods.EchoFromAAsync(pods.AppBEndPoint, "nft by pod ip");
        string byVip = await pods.EchoFromAAsync(vip, "nft by service vip");

        byIp.Should().Be("nft by pod ip");
        byVip.Should().Be("nft by service vip");
        foreach (TestNamespace pod in new[] { pods.A, pods.B })
        {
            ProcessResult tables = pod.Exec("nft", "list", "tables");
            tables.Stdout.Should().Contain("table inet istio-proxy-nat", "capture-init applied Istio's nftables tables in {0}", pod.Name);
        }

        IPAddress passthrough = IPAddress.Parse(families == PodFamilies.IPv6 ? "::6" : "127.0.0.6");
        pods.AppB.Clients.Should().HaveCount(2).And.OnlyContain(c => c.Address.Equals(passthrough), "REDIRECT mode, " + family);
        await HbonePods.WaitForOutputAsync(pods.ProxyA, $"via=hbone peer={MeshCertificates.Identity("b")} tunnel=", 2);
        await HbonePods.WaitForOutputAsync(pods.ProxyB!, $"via=hbone peer={MeshCertificates.Identity("a")} tunnel=", 2);
        string metricsB = await pods.ProxyB!.ScrapeAsync();
        ProxyProcess.Metric(metricsB, "capture_hbone_streams_opened_total", "direction=\"inbound\"").Should().Be(2);
        ProxyProcess.Metric(metricsB, "capture_connections_accepted_total", "direction=\"inbound\"").Should().Be(0,
            "nat istio-inbound returns 15008, and B's proxy's connections to its app are not captured again");
    }
}
