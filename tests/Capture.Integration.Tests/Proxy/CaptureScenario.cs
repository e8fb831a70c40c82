using System.Net;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Proxy;

/// <summary>
/// One test's world: a pod and a peer namespace on a veth, capture-init's rules in the pod (istio-init defaults, IPv6
/// on), and capture-proxy running in the pod as UID 1337. Disposed in reverse, namespaces last, even on failure.
/// </summary>
internal sealed class CaptureScenario : IDisposable
{
    private CaptureScenario(PodTopology topology, ProxyProcess proxy)
    {
        Topology = topology;
        Proxy = proxy;
    }

    public PodTopology Topology { get; }

    public ProxyProcess Proxy { get; }

    public TestNamespace Pod => Topology.Pod;

    public TestNamespace Peer => Topology.Peer;

    public static async Task<CaptureScenario> StartAsync(string mode = "REDIRECT", IEnumerable<string>? proxyArguments = null, int? nofile = null)
    {
        PodTopology topology = PodTopology.Create("hph");
        try
        {
            string[] initArguments = [.. CaptureInit.DefaultIstioInitArguments.Select(a => a == "REDIRECT" ? mode : a), "--ipv6", "true"];
            CaptureInit.RunIn(topology.Pod, initArguments).EnsureSuccess();
            ProxyProcess proxy = await ProxyProcess.StartAsync(
                topology.Pod, ["--mode", mode, "--workers", "2", .. proxyArguments ?? []], netAdmin: mode == "TPROXY", nofile);
            return new CaptureScenario(topology, proxy);
        }
        catch
        {
            topology.Dispose();
            throw;
        }
    }

    public IPAddress PeerAddress(bool ipv6) => ipv6 ? Topology.PeerIPv6 : Topology.PeerIPv4;

    public IPAddress PodAddress(bool ipv6) => ipv6 ? Topology.PodIPv6 : Topology.PodIPv4;

    /// <summary>Runs a client exchange; if it fails on the wire, the failure carries the proxy's log to say why.</summary>
    public async Task<T> WithProxyOutputOnFailureAsync<T>(Func<Task<T>> exchange)
    {
        try
        {
            return await exchange();
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"{ex.Message}\ncapture-proxy stdout:\n{Proxy.Output}\nstderr:\n{Proxy.Process.Stderr}", ex);
        }
    }

    public void Dispose()
    {
        Proxy.Dispose();
        Topology.Dispose();
    }
}
