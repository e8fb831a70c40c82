using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Capture.NativeShims.Namespaces;

namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// A fresh network namespace named <c>cap-&lt;prefix&gt;-&lt;random&gt;</c> with <c>lo</c> up, for one test. Dispose
/// kills whatever still runs in it and deletes it, also when the test failed; namespaces still alive when the test
/// process exits are deleted then as a last resort.
/// </summary>
public sealed class TestNamespace : IDisposable
{
    private static readonly ConcurrentDictionary<string, byte> s_live = new();
    private readonly List<BackgroundProcess> _processes = [];
    private int _disposed;

    static TestNamespace() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (string name in s_live.Keys)
        {
            DeleteNamespace(name);
        }
    };

    private TestNamespace(string name) => Name = name;

    /// <summary>The namespace name, as <c>ip netns</c> knows it.</summary>
    public string Name { get; }

    /// <summary>The namespace's bind mount, <c>/var/run/netns/NAME</c>: what <c>--network-namespace</c> and setns take.</summary>
    public string Path => "/var/run/netns/" + Name;

    /// <summary>Creates <c>cap-&lt;prefix&gt;-&lt;8 hex digits&gt;</c> and brings <c>lo</c> up.</summary>
    /// <param name="prefix">Short tag naming the test area, e.g. <c>apply</c>; letters, digits and dashes.</param>
    public static TestNamespace Create(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        string name = $"cap-{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        ProcessRunner.Run("ip", ["netns", "add", name]).EnsureSuccess();
        s_live.TryAdd(name, 0);
        TestNamespace created = new(name);
        try
        {
            created.Ip("link", "set", "lo", "up").EnsureSuccess();
        }
        catch
        {
            created.Dispose();
            throw;
        }

        return created;
    }

    /// <summary>Runs <paramref name="file"/> inside the namespace (<c>ip netns exec</c>) and waits for it.</summary>
    public ProcessResult Exec(string file, params string[] arguments) => ExecWithInput(null, file, arguments);

    /// <summary>Like <see cref="Exec"/>, writing <paramref name="stdin"/> to the process' standard input.</summary>
    public ProcessResult ExecWithInput(string? stdin, string file, params string[] arguments)
        => ProcessRunner.Run("ip", ["netns", "exec", Name, file, .. arguments], stdin);

    /// <summary>Runs <c>sh -c <paramref name="script"/></c> inside the namespace.</summary>
    public ProcessResult Shell(string script) => Exec("sh", "-c", script);

    /// <summary>Runs <c>ip -n NAME …</c> (no extra process to enter the namespace).</summary>
    public ProcessResult Ip(params string[] arguments) => ProcessRunner.Run("ip", ["-n", Name, .. arguments]);

    /// <summary>
    /// Starts a long-running <paramref name="file"/> inside the namespace, stdin/stdout/stderr redirected; it is killed
    /// by <see cref="Dispose"/> at the latest.
    /// </summary>
    public BackgroundProcess StartProcess(string file, params string[] arguments)
    {
        BackgroundProcess process = new(ProcessRunner.Start("ip", ["netns", "exec", Name, file, .. arguments], environment: null, redirectStdin: true));
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a dedicated thread moved into this namespace with setns(2). Sockets created
    /// there belong to this namespace for their whole life, whichever thread uses them later.
    /// </summary>
    public T Run<T>(Func<T> action) => NetworkNamespace.Run(Path, action);

    /// <summary>Runs <paramref name="action"/> inside this namespace; see <see cref="Run{T}(Func{T})"/>.</summary>
    public void Run(Action action) => NetworkNamespace.Run(Path, action);

    /// <summary>Runs blocking <paramref name="action"/> on its own thread inside this namespace, without waiting for it.</summary>
    public Task<T> RunAsync<T>(Func<T> action) => NetworkNamespace.RunAsync(Path, action);

    /// <summary>Kills processes still running in the namespace and deletes it; safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_processes)
        {
            foreach (BackgroundProcess process in _processes)
            {
                process.Dispose();
            }
        }

        DeleteNamespace(Name);
        s_live.TryRemove(Name, out _);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static void DeleteNamespace(string name)
    {
        // Anything still inside (a server a test started with nsenter, a forked child) is killed first so the
        // namespace really goes away instead of lingering, unnamed, until that process exits.
        ProcessResult pids = ProcessRunner.Run("ip", ["netns", "pids", name], timeout: TimeSpan.FromSeconds(10));
        foreach (string line in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, out int pid) && pid != Environment.ProcessId)
            {
                try
                {
                    using Process process = Process.GetProcessById(pid);
                    process.Kill();
                    process.WaitForExit(2000);
                }
                catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Already gone: exactly what we wanted.
                }
            }
        }

        ProcessRunner.Run("ip", ["netns", "delete", name], timeout: TimeSpan.FromSeconds(10));
    }
}
