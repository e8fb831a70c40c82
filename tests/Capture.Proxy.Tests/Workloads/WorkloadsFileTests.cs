using Capture.NativeShims;
using Capture.Proxy.Tests.Logging;
using Capture.Proxy.Workloads;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Workloads;

public sealed class WorkloadsFileTests : IDisposable
{
    private const string TcpFile = "workloads: [{name: b, namespace: ns, workloadIps: [10.0.0.2], protocol: TCP}]\n";
    private const string HboneFile = "workloads: [{name: b, namespace: ns, workloadIps: [10.0.0.2], protocol: HBONE}]\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("capture-workloads-").FullName;
    private readonly RecordingLogger _logger = new();

    [Fact]
    public void Open_BadFile_ThrowsNamingTheProblem()
    {
        string path = Write("workloads.yaml", "workloads: [{name: b}]");

        Action open = () => WorkloadsFile.Open(path, _logger, pollInterval: TimeSpan.Zero);

        open.Should().Throw<WorkloadsFileException>().WithMessage($"{path}: workloads[0] (b), field \"namespace\": is required*");
    }

    [Fact]
    public void Reload_ChangedFile_NewVersionReplacesTheOld()
    {
        string path = Write("workloads.yaml", TcpFile);
        using WorkloadsFile file = WorkloadsFile.Open(path, _logger, pollInterval: TimeSpan.Zero);
        WorkloadIndex? seen = null;
        file.Changed += index => seen = index;
        WorkloadIndex before = file.Current;

        Write("workloads.yaml", HboneFile);
        file.Reload();

        file.Current.Should().NotBeSameAs(before).And.BeSameAs(seen);
        file.Current.HasHbone.Should().BeTrue();
        before.HasHbone.Should().BeFalse("an index is never changed, so a connection routed with it keeps its route");
        _logger.Entries.Should().Contain(e => e.Message.Contains("changed: now 1 workloads", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_UnchangedContent_KeepsTheSameVersion()
    {
        string path = Write("workloads.yaml", TcpFile);
        using WorkloadsFile file = WorkloadsFile.Open(path, _logger, pollInterval: TimeSpan.Zero);
        WorkloadIndex before = file.Current;

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        file.Reload();

        file.Current.Should().BeSameAs(before);
    }

    [Fact]
    public void Reload_BadNewVersion_KeepsTheLastGoodOneAndSaysWhyOnce()
    {
        string path = Write("workloads.yaml", HboneFile);
        using WorkloadsFile file = WorkloadsFile.Open(path, _logger, pollInterval: TimeSpan.Zero);
        WorkloadIndex good = file.Current;

        Write("workloads.yaml", "workloads: [{name: b, namespace: ns, protocol: QUIC}]");
        file.Reload();
        file.Reload();

        file.Current.Should().BeSameAs(good);
        _logger.Entries.Where(e => e.Level == LogLevel.Warning).Should().ContainSingle()
            .Which.Message.Should().Be($"Keeping the last good workloads file: {path}: workloads[0] (b), field \"protocol\": \"QUIC\" is not HBONE or TCP (line 1, column 48)");
    }

    [Fact]
    public void Reload_ConfigMapSymlinkSwap_FollowsTheNewTarget()
    {
        // What the kubelet does on a ConfigMap update: a new timestamped directory, then ..data renamed over.
        Directory.CreateDirectory(Path.Combine(_directory, "..v1"));
        File.WriteAllText(Path.Combine(_directory, "..v1", "workloads.yaml"), TcpFile);
        File.CreateSymbolicLink(Path.Combine(_directory, "..data"), "..v1");
        string path = Path.Combine(_directory, "workloads.yaml");
        File.CreateSymbolicLink(path, "..data/workloads.yaml");
        using WorkloadsFile file = WorkloadsFile.Open(path, _logger, pollInterval: TimeSpan.Zero);
        NativeSocketAddress destination = NativeSocketAddress.From(System.Net.IPAddress.Parse("10.0.0.2"), 80);
        file.Current.TryRoute(destination, "cluster.local", out _).Should().BeFalse();

        Directory.CreateDirectory(Path.Combine(_directory, "..v2"));
        File.WriteAllText(Path.Combine(_directory, "..v2", "workloads.yaml"), HboneFile);
        File.CreateSymbolicLink(Path.Combine(_directory, "..data_tmp"), "..v2");
        Rename(Path.Combine(_directory, "..data_tmp"), Path.Combine(_directory, "..data"));
        Directory.Delete(Path.Combine(_directory, "..v1"), recursive: true);
        file.Reload();

        file.Current.TryRoute(destination, "cluster.local", out OutboundRoute? route).Should().BeTrue();
        route!.Kind.Should().Be(OutboundRouteKind.Tunnel);
    }

    [Fact]
    public async Task Open_WithPollInterval_PicksUpAChangeByItself()
    {
        string path = Write("workloads.yaml", TcpFile);
        using WorkloadsFile file = WorkloadsFile.Open(path, _logger, pollInterval: TimeSpan.FromMilliseconds(20));
        TaskCompletionSource<WorkloadIndex> changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        file.Changed += index => changed.TrySetResult(index);

        // Written aside and renamed over, as an editor or the kubelet does: File.WriteAllText truncates first, and a
        // poll between the truncation and the write reads an empty file, a valid (empty) configuration of its own.
        Write("workloads.yaml.new", HboneFile);
        File.Move(Path.Combine(_directory, "workloads.yaml.new"), path, overwrite: true);

        (await changed.Task.WaitAsync(TimeSpan.FromSeconds(10))).HasHbone.Should().BeTrue();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // rename(2) over the old link, as the kubelet's atomic writer does; File.Move refuses a link to a directory.
    private static void Rename(string from, string to)
    {
        using System.Diagnostics.Process mv = System.Diagnostics.Process.Start("mv", ["-T", "-f", from, to])!;
        mv.WaitForExit(10_000).Should().BeTrue();
        mv.ExitCode.Should().Be(0);
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
