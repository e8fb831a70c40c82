using System.Text.Json;
using Capture.Integration.Tests.Hbone;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Authorization;

/// <summary>
/// Authorization policies enforced by the published proxy in pod B (HbonePods: A and B with capture rules and proxies):
/// an Allow for service account <c>a</c> lets A's app in through the tunnel, answers another identity (<c>c</c>, Node's
/// HBONE client with c's certificate) 401, and resets a plaintext client; removing the policy from the file lets c in
/// without a restart.
/// </summary>
public sealed class PolicyEnforcementTests
{
    internal const string AllowA = """

        policies:
        - name: allow-a
          namespace: default
          scope: Namespace
          action: Allow
          rules:
          - - - serviceAccounts: [{namespace: default, serviceAccount: a}]
        """;

    [RequiresRootFact(Tools = ["setpriv", "openssl", "node", "bash"])]
    public async Task AllowForOneServiceAccount_LetsAInKeepsCOutWith401AndPlaintextOutByReset_UntilRemoved()
    {
        using HbonePods pods = await HbonePods.StartAsync();
        string credentialsC = pods.Certificates.Issue("default.c", "c");
        pods.WriteWorkloads("HBONE", AllowA);
        await HbonePods.WaitForOutputAsync(pods.ProxyB!, "1 policies; new connections follow it");

        // A (service account a): through A's proxy and the tunnel to B's app.
        (await Clients.EchoAsync(pods.A, HbonePods.VipEndPoint, "from a")).Should().Be("from a", pods.Logs());
        (await HbonePods.WaitForOutputAsync(pods.ProxyB!, "policy=default/allow-a")).Should().Contain(MeshCertificates.Identity("a"));

        // C (another identity) straight into B's 15008: 401, and B's app never sees it.
        int acceptedBefore = pods.AppB.Accepted;
        JsonElement c = NodeHbonePeer.Client(pods.A, $"{pods.AddressB}:15008", pods.AppBEndPoint.ToString(), credentialsC);
        c.GetProperty("status").GetInt32().Should().Be(401, pods.Logs());
        string logB = await HbonePods.WaitForOutputAsync(pods.ProxyB!, "end=denied");
        logB.Should().Contain("denied: no allow policy matched");
        pods.AppB.Accepted.Should().Be(acceptedBefore);

        // A plaintext client (UID 1337 in A: A's rules leave it alone) to B's app: B's 15006 resets it, no connect.
        ProcessResult plaintext = pods.A.Exec("setpriv", "--reuid=1337", "--regid=1337", "--clear-groups", "bash", "-c",
            $"exec 3<>/dev/tcp/{pods.AddressB}/{pods.AppB.EndPoint.Port} && printf hello >&3 && cat <&3");
        plaintext.ExitCode.Should().NotBe(0, plaintext.ToString());
        plaintext.Stdout.Should().BeEmpty();
        await HbonePods.WaitForOutputAsync(pods.ProxyB!, "end=denied", 2);
        pods.AppB.Accepted.Should().Be(acceptedBefore, "a denied connection is reset before any upstream connect");
        string metrics = await pods.ProxyB!.ScrapeAsync();
        ProxyProcess.Metric(metrics, "capture_authorization_denied_total", "transport=\"hbone\"").Should().Be(1);
        ProxyProcess.Metric(metrics, "capture_authorization_denied_total", "transport=\"plaintext\"").Should().Be(1);

        // The policy removed from the file: C is let in by the same running proxy.
        pods.WriteWorkloads("HBONE");
        await HbonePods.WaitForOutputAsync(pods.ProxyB!, "0 policies; new connections follow it");
        JsonElement again = NodeHbonePeer.Client(pods.A, $"{pods.AddressB}:15008", pods.AppBEndPoint.ToString(), credentialsC, ["--bytes", "1000"]);
        again.GetProperty("status").GetInt32().Should().Be(200, pods.Logs());
        again.GetProperty("received").GetInt64().Should().Be(1000);
    }
}
