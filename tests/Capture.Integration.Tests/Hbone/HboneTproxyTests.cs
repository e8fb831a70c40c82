using System.Net;
using Capture.Integration.Tests.Authorization;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// HBONE between pods whose rules and proxies run in TPROXY mode (capture-init <c>-m TPROXY</c>; each proxy as UID 0 /
/// GID 1337 with CAP_NET_ADMIN, as the injector runs it), with iptables or Istio's nftables rules. A's proxy dials the
/// tunnel as GID 1337, which A's rules leave alone. B's proxy ends the tunnel on 15008 and connects to its app
/// transparently from the tunnel peer's address, so B's app sees A's pod IP, not 127.0.0.6 or ::6; the app's replies
/// to that foreign source come back to the proxy by the TPROXY mark and local route.
/// Istio's rules return 15008 only in nat's ISTIO_INBOUND, which TPROXY mode does not hook, so mangle's TPROXY takes
/// the tunnel's own TCP connection to 15006, which passes it through to 15008 (capture-init matches Istio byte for byte
/// and keeps this). That hop must not be judged by L4 policy: it carries no identity, 15008 judges each stream.
/// </summary>
public sealed class HboneTproxyTests
{
    [RequiresRootTheory(Tools = ["setpriv", "openssl", "nft"])]
    [InlineData("IPv4", false)]
    [InlineData("IPv6", false)]
    [InlineData("IPv4", true)]
    [InlineData("IPv6", true)]
    public async Task TproxyB_PodIpAndServiceVip_BsAppSeesAsPodAddress(string family, bool nftables)
    {
        PodFamilies families = Enum.Parse<PodFamilies>(family);
        using HbonePods pods = await HbonePods.StartAsync(families: families, mode: "TPROXY", nftables: nftables);
        IPEndPoint vip = families == PodFamilies.IPv6 ? HbonePods.Vip6EndPoint : HbonePods.VipEndPoint;

        string byIp = await pods.EchoFromAAsync(pods.AppBEndPoint, "tproxy by pod ip");
        string byVip = await pods.EchoFromAAsync(vip, "tproxy by service vip");

        byIp.Should().Be("tproxy by pod ip");
        byVip.Should().Be("tproxy by service vip");
        pods.AppB.Clients.Should().HaveCount(2).And.OnlyContain(c => c.Address.Equals(pods.AddressA),
            $"in TPROXY mode B's proxy connects to its app from the tunnel peer's address {pods.AddressA}");
        await HbonePods.WaitForOutputAsync(pods.ProxyB!, $"via=hbone peer={MeshCertificates.Identity("a")} tunnel=", 2);
        string metricsB = await pods.ProxyB!.ScrapeAsync();
        ProxyProcess.Metric(metricsB, "capture_hbone_streams_opened_total", "direction=\"inbound\"").Should().Be(2);
        ProxyProcess.Metric(metricsB, "capture_connections_accepted_total", "direction=\"inbound\"").Should().Be(1,
            "15006 takes the one pooled tunnel connection (Istio's TPROXY rules do), never the proxy's own connections to the app");
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl", "bash"])]
    public async Task TproxyB_AllowForA_TunnelPassesThrough15006UnjudgedAndTheStreamIsAllowed_PlaintextStillReset()
    {
        using HbonePods pods = await HbonePods.StartAsync(mode: "TPROXY");
        pods.WriteWorkloads("HBONE", PolicyEnforcementTests.AllowA);
        await HbonePods.WaitForOutputAsync(pods.ProxyB!, "1 policies; new connections follow it");

        (await pods.EchoFromAAsync(HbonePods.VipEndPoint, "from a")).Should().Be("from a");

        (await HbonePods.WaitForOutputAsync(pods.ProxyB!, "policy=default/allow-a")).Should().Contain(MeshCertificates.Identity("a"));
        int acceptedBefore = pods.AppB.Accepted;
        ProcessResult plaintext = pods.A.Exec("setpriv", "--reuid=1337", "--regid=1337", "--clear-groups", "bash", "-c",
            $"exec 3<>/dev/tcp/{pods.AddressB}/{pods.AppB.EndPoint.Port} && printf hello >&3 && cat <&3");
        plaintext.ExitCode.Should().NotBe(0, plaintext.ToString());
        await HbonePods.WaitForOutputAsync(pods.ProxyB!, "end=denied");
        pods.AppB.Accepted.Should().Be(acceptedBefore, "a plaintext connection to the app is still judged, and denied");
        string metrics = await pods.ProxyB!.ScrapeAsync();
        ProxyProcess.Metric(metrics, "capture_authorization_denied_total", "transport=\"plaintext\"").Should().Be(1,
            "only the plaintext client was denied, not the tunnel's connection through 15006");
    }
}
