using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Capture.Integration.Tests.Hbone;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Dns;

/// <summary>
/// Issue 14's whole DNS path: pod A applied with <c>capture-init --redirect-dns</c>, its app resolves the mesh service
/// name through A's proxy on 15053 and connects to the VIP it got; A's proxy carries the connection to B's 15008 in an
/// HBONE tunnel and B's app answers. dnsmasq in B is the nameserver A's resolv.conf names (the upstream for names not
/// in the workloads file).
/// </summary>
public sealed class DnsToTunnelTests
{
    private const string OutsideV4 = "192.0.2.78";

    [RequiresRootFact(Tools = ["dnsmasq", "getent", "setpriv", "openssl"])]
    public async Task ServiceName_ResolvedThroughDnsProxy_VipReachesBsAppThroughTheTunnel()
    {
        using HbonePods pods = await HbonePods.StartAsync(redirectDnsA: true);
        using BackgroundProcess dnsmasq = pods.B.StartProcess("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
            "--no-hosts", "--bind-interfaces", $"--listen-address={pods.AddressB}", "--port=53", "--pid-file=", "--user=root",
            "--log-queries", "--log-facility=-", $"--address=/outside.test/{OutsideV4}");
        await WaitForDnsmasqAsync(pods.B, dnsmasq);

        // The app (UID 1000, so its query is captured) asks glibc for "b": the search list makes it
        // b.default.svc.cluster.local, which A's proxy answers from the workloads file.
        string[] addresses = Getent(pods, "b", dnsmasq);
        addresses.Should().Equal([HbonePods.Vip.ToString()], "b is the service in the workloads file");
        Getent(pods, "outside.test", dnsmasq).Should().Equal([OutsideV4], "other names go to the nameserver (dnsmasq in B)");

        // The app connects to the address it resolved; the reply is B's app's (echo), through the tunnel.
        IPEndPoint resolved = new(IPAddress.Parse(addresses[0]), HbonePods.VipPort);
        string reply;
        try
        {
            reply = await Clients.EchoAsync(pods.A, resolved, "hello b by name");
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"{ex.Message}\n{pods.Logs()}", ex);
        }

        reply.Should().Be("hello b by name");
        await HbonePods.WaitForOutputAsync(pods.ProxyA, $"-> {resolved} ");
        string logA = await HbonePods.WaitForOutputAsync(pods.ProxyA, $"via=hbone peer={MeshCertificates.Identity("b")} tunnel={pods.AddressB}:15008");
        logA.Should().Contain($"-> {resolved} ");
        string logB = await HbonePods.WaitForOutputAsync(pods.ProxyB!, $"via=hbone peer={MeshCertificates.Identity("a")} tunnel={pods.AddressA}:");
        logB.Should().Contain(pods.AppBEndPoint.ToString(), "B's proxy connected the stream to B's app");
        pods.AppB.Clients.Should().ContainSingle();
        string metricsA = await pods.ProxyA.ScrapeAsync();
        ProxyProcess.Metric(metricsA, "capture_dns_queries_total", "result=\"local\"").Should().BeGreaterThan(0);
        ProxyProcess.Metric(metricsA, "capture_dns_queries_total", "result=\"forwarded\"").Should().BeGreaterThan(0);
        (dnsmasq.Stdout + dnsmasq.Stderr).Should().NotContain("svc.cluster.local", "the mesh name is answered by A's proxy, never forwarded");
    }

    private static string[] Getent(HbonePods pods, string name, BackgroundProcess dnsmasq)
    {
        ProcessResult result = pods.A.Exec("setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "getent", "ahostsv4", name);
        result.ExitCode.Should().Be(0, $"getent ahostsv4 {name}: {result.Stderr}\n{pods.Logs()}\ndnsmasq:\n{dnsmasq.Stderr}");
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)[0]).Distinct().ToArray();
    }

    private static async Task WaitForDnsmasqAsync(TestNamespace b, BackgroundProcess dnsmasq)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (dnsmasq.HasExited)
            {
                throw new InvalidOperationException("dnsmasq exited: " + dnsmasq.Stderr);
            }

            if (b.Exec("ss", "-lnu").Stdout.Contains(":53 ", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("dnsmasq did not start listening: " + dnsmasq.Stderr);
    }
}
