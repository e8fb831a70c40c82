using System.Diagnostics;
using System.Text.Json;

namespace Capture.Proxy.Tests.Tunneling;

/// <summary>Runs tests/node/hbone-peer.js (Node's http2 over tls) as an HBONE client or server.</summary>
internal sealed class NodePeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _lines = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private NodePeer(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && line.StartsWith('{'))
            {
                lock (_lines)
                {
                    _lines.Add(JsonDocument.Parse(line).RootElement.Clone());
                }

                _arrived.Release();
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (Stderr)
                {
                    Stderr.Add(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string? NodePath { get; } = FindOnPath("node");

    public static string Script => Path.Combine(AppContext.BaseDirectory, "node", "hbone-peer.js");

    public List<string> Stderr { get; } = [];

    public static NodePeer Start(params string[] arguments)
    {
        ProcessStartInfo start = new(NodePath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new NodePeer(Process.Start(start)!);
    }

    /// <summary>Runs a client to completion and returns its one result line.</summary>
    public static async Task<JsonElement> RunClientAsync(params string[] arguments)
    {
        await using NodePeer client = Start(["client", .. arguments]);
        return await client.NextLineAsync(TimeSpan.FromSeconds(60));
    }

    public async Task<JsonElement> NextLineAsync(TimeSpan timeout)
    {
        if (!await _arrived.WaitAsync(timeout))
        {
            throw new TimeoutException($"hbone-peer.js printed nothing within {timeout}; stderr: {string.Join(" | ", Stderr)}");
        }

        lock (_lines)
        {
            JsonElement line = _lines[0];
            _lines.RemoveAt(0);
            return line;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _arrived.Dispose();
    }

    /// <summary>Full path of <paramref name="tool"/> on PATH, or null.</summary>
    public static string? FindOnPath(string tool)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
