using System.Globalization;
using System.Net;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Proxy;

/// <summary>
/// capture-proxy started the way a sidecar runs it: inside the pod namespace as UID/GID 1337 with no capabilities
/// (REDIRECT), or as UID 0 / GID 1337 with only CAP_NET_ADMIN (TPROXY, as Istio's injector runs it), from a copy of
/// the published Native AOT executable (<see cref="PublishedExecutables"/>) that UID 1337 can read.
/// </summary>
internal sealed class ProxyProcess : IDisposable
{
    public const int ProxyUid = 1337;

    private static readonly Lazy<string> s_staged = new(Stage);

    private readonly string _home;

    private ProxyProcess(TestNamespace pod, BackgroundProcess process, string home)
    {
        Pod = pod;
        Process = process;
        _home = home;
    }

    public TestNamespace Pod { get; }

    public BackgroundProcess Process { get; }

    /// <summary>Everything the proxy wrote to stdout: its logs, including the access log.</summary>
    public string Output => Process.Stdout;

    /// <summary>
    /// Waits until <see cref="Output"/> contains every one of <paramref name="fragments"/> (or 10 s pass) and returns
    /// it. The proxy's log lines reach its stdout from a background writer, and the test reads that pipe on its own
    /// thread: a metric that already counts a connection says nothing about whether its access-log line arrived.
    /// </summary>
    public async Task<string> WaitForOutputAsync(params string[] fragments)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            string output = Output;
            if (Array.TrueForAll(fragments, fragment => output.Contains(fragment, StringComparison.Ordinal))
                || TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                return output;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Starts capture-proxy in <paramref name="pod"/> with <paramref name="arguments"/> and waits until its readiness
    /// endpoint answers 200. <paramref name="netAdmin"/> keeps CAP_NET_ADMIN (TPROXY); <paramref name="nofile"/> lowers
    /// the descriptor limit with prlimit; <paramref name="withHome"/> false starts it with no HOME at all.
    /// </summary>
    public static async Task<ProxyProcess> StartAsync(TestNamespace pod, IEnumerable<string> arguments, bool netAdmin = false, int? nofile = null, bool withHome = true)
    {
        string home = CreateHome();
        BackgroundProcess process = pod.StartProcess("env", [.. Command(withHome ? home : null, arguments, netAdmin, nofile)]);
        ProxyProcess proxy = new(pod, process, home);
        try
        {
            await proxy.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
            return proxy;
        }
        catch
        {
            proxy.Dispose();
            throw;
        }
    }

    /// <summary>Runs capture-proxy in <paramref name="pod"/> (as UID 1337, no capabilities) expecting it to exit by itself.</summary>
    public static async Task<ProcessResult> RunToExitAsync(TestNamespace pod, IEnumerable<string> arguments, TimeSpan timeout, int? nofile = null)
    {
        string home = CreateHome();
        using BackgroundProcess process = pod.StartProcess("env", [.. Command(home, arguments, netAdmin: false, nofile)]);
        try
        {
            return await process.WaitForExitAsync(timeout);
        }
        finally
        {
            DeleteHome(home);
        }
    }

    public Task<(int Status, string Body)> GetAsync(int port, string path, string method = "GET") =>
        NamespaceSockets.HttpGetAsync(Pod, new IPEndPoint(IPAddress.Loopback, port), path, method);

    public async Task<string> ScrapeAsync()
    {
        (int status, string body) = await GetAsync(15090, "/stats/prometheus");
        status.Should().Be(200);
        return body;
    }

    /// <summary>The sum of the samples of <paramref name="name"/> whose label set contains every one of <paramref name="labels"/>.</summary>
    public static long Metric(string text, string name, params string[] labels) =>
        text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    public void Signal(string signal) =>
        ProcessRunner.Run("kill", ["-s", signal, Process.Id.ToString(CultureInfo.InvariantCulture)]).EnsureSuccess();

    public void Dispose()
    {
        Process.Dispose();
        DeleteHome(_home);
    }

    private static string CreateHome()
    {
        string home = Directory.CreateTempSubdirectory("capture-proxy-home-").FullName;
        Chmod(home, (UnixFileMode)0x1FF); // 0777: the proxy's HOME, writable by UID 1337
        return home;
    }

    private static void DeleteHome(string home)
    {
        try
        {
            Directory.Delete(home, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process; the temp directory is cleaned by the OS eventually.
        }
    }

    /// <summary>
    /// <c>env</c>'s arguments: signal dispositions reset, variables, then optionally prlimit, then setpriv to UID/GID
    /// 1337, then the proxy.
    /// </summary>
    private static List<string> Command(string? home, IEnumerable<string> arguments, bool netAdmin, int? nofile)
    {
        // A container starts with every signal at its default action. A test host started in the background by a
        // non-interactive shell (scripts/test.sh runs the projects with `&`) inherits SIGINT and SIGQUIT ignored, and
        // .NET leaves a signal that was ignored at start ignored: without the reset the proxy under test would not be
        // the one a pod runs.
        // No home: HOME removed, as a sidecar started by a runtime that sets none.
        List<string> command = home is null
            ? ["--default-signal=INT,QUIT", "-u", "HOME", "-u", "DOTNET_CLI_HOME", "DOTNET_NOLOGO=1", "DOTNET_gcServer=0"]
            : ["--default-signal=INT,QUIT", "HOME=" + home, "DOTNET_CLI_HOME=" + home, "DOTNET_NOLOGO=1", "DOTNET_gcServer=0"];
        if (nofile is { } limit)
        {
            command.AddRange(["prlimit", string.Create(CultureInfo.InvariantCulture, $"--nofile={limit}:{limit}"), "--"]);
        }

        // TPROXY: UID 0 / GID 1337, as Istio's injector runs a TPROXY sidecar (runAsUser 0, runAsGroup 1337). The rules
        // depend on it: the transparent upstream to the app leaves through lo with the client's address, and only
        // `-o lo -m owner ! --uid-owner 1337 -j RETURN` keeps it from being sent back to 15006; the GID keeps the
        // proxy's outbound traffic bypassed. REDIRECT: UID/GID 1337, no capabilities.
        command.AddRange(["setpriv", netAdmin ? "--reuid=0" : "--reuid=1337", "--regid=1337", "--clear-groups"]);
        command.AddRange(netAdmin
            ? ["--inh-caps=-all,+net_admin", "--ambient-caps=-all,+net_admin", "--bounding-set=-all,+net_admin"]
            : ["--inh-caps=-all", "--bounding-set=-all"]);
        command.AddRange([s_staged.Value, .. arguments]);
        return command;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"capture-proxy exited before it was ready.\nstdout:\n{Process.Stdout}\nstderr:\n{Process.Stderr}");
            }

            try
            {
                (int status, _) = await GetAsync(15021, "/healthz/ready");
                if (status == 200)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                // Not listening yet.
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"capture-proxy was not ready within {timeout}.\nstdout:\n{Process.Stdout}\nstderr:\n{Process.Stderr}");
            }

            await Task.Delay(50);
        }
    }

    private static void Chmod(string path, UnixFileMode mode)
    {
        // Only Linux runs these tests (RequiresRootFact skips elsewhere); the guard keeps the analyzer satisfied.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>
    /// Copies the published capture-proxy to a directory UID 1337 can read and returns the copy's path: the repository may
    /// sit under a directory only root can enter.
    /// </summary>
    private static string Stage()
    {
        string published = PublishedExecutables.CaptureProxy;
        string directory = Directory.CreateTempSubdirectory("capture-proxy-bin-").FullName;
        Chmod(directory, (UnixFileMode)0x1ED); // 0755
        string target = Path.Combine(directory, Path.GetFileName(published));
        File.Copy(published, target);
        Chmod(target, (UnixFileMode)0x1ED); // 0755

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort at exit; /tmp is cleaned by the OS.
            }
        };
        return target;
    }
}
