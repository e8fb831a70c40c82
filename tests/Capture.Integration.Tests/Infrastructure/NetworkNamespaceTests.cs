using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Capture.NativeShims.Namespaces;

namespace Capture.Integration.Tests.Infrastructure;

public sealed class NetworkNamespaceTests
{
    [Fact]
    public void Run_WithNullPath_RunsInlineOnCallingThread()
    {
        int caller = Environment.CurrentManagedThreadId;

        int runner = NetworkNamespace.Run(null, () => Environment.CurrentManagedThreadId);

        runner.Should().Be(caller);
    }

    [Fact]
    public void Run_WithMissingPath_ThrowsIOExceptionNamingThePath()
    {
        Action act = () => NetworkNamespace.Run("/nonexistent/netns/cap-missing", () => 1);

        act.Should().Throw<IOException>().WithMessage("*/nonexistent/netns/cap-missing*");
    }

    [RequiresRootFact]
    public void Run_WithFileThatIsNotANamespace_ThrowsIOExceptionSayingSo()
    {
        Action act = () => NetworkNamespace.Run("/proc/self/ns/uts", () => 1);

        act.Should().Throw<IOException>().WithMessage("/proc/self/ns/uts is not a network namespace (setns: *)");
    }

    [RequiresRootFact]
    public void Run_SocketBoundInside_UsesTheNamespaceAddresses()
    {
        using TestNamespace ns = TestNamespace.Create("nsrun");
        // 192.0.2.0/24 is TEST-NET-1: no host has it, so binding it only works where this test added it.
        ns.Ip("addr", "add", "192.0.2.77/32", "dev", "lo").EnsureSuccess();

        int port = ns.Run(() =>
        {
            using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse("192.0.2.77"), 0));
            return ((IPEndPoint)socket.LocalEndPoint!).Port;
        });
        Action bindOutside = () =>
        {
            using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse("192.0.2.77"), 0));
        };

        port.Should().BePositive();
        bindOutside.Should().Throw<SocketException>().Which.SocketErrorCode.Should().Be(SocketError.AddressNotAvailable);
    }

    [RequiresRootFact(Tools = ["readlink"])]
    public void Run_ProcessStartedInside_InheritsTheNamespace()
    {
        using TestNamespace ns = TestNamespace.Create("nsfork");
        string expected = ns.Exec("readlink", "/proc/self/ns/net").EnsureSuccess().Stdout.Trim();
        string before = File.ResolveLinkTarget("/proc/thread-self/ns/net", returnFinalTarget: false)!.FullName;

        string inherited = ns.Run(() => ProcessRunner.Run("readlink", ["/proc/self/ns/net"]).EnsureSuccess().Stdout.Trim());
        string after = File.ResolveLinkTarget("/proc/thread-self/ns/net", returnFinalTarget: false)!.FullName;

        inherited.Should().Be(expected).And.StartWith("net:[");
        after.Should().Be(before, "only the dedicated thread moves, never the caller");
        before.Should().NotEndWith(expected);
    }

    [RequiresRootFact]
    public async Task RunAsync_ReturnsBeforeTheBlockingDelegateFinishes()
    {
        using TestNamespace ns = TestNamespace.Create("nsasync");
        using ManualResetEventSlim release = new();
        Stopwatch stopwatch = Stopwatch.StartNew();

        Task<string> running = ns.RunAsync(() =>
        {
            release.Wait(TimeSpan.FromSeconds(10));
            return File.ResolveLinkTarget("/proc/thread-self/ns/net", returnFinalTarget: false)!.FullName;
        });
        bool completedEarly = running.IsCompleted;
        release.Set();
        string inside = await running.WaitAsync(TimeSpan.FromSeconds(5));

        completedEarly.Should().BeFalse();
        inside.Should().EndWith(ns.Exec("readlink", "/proc/self/ns/net").Stdout.Trim());
    }
}
