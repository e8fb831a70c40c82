using System.Text.Json;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// <c>tests/node/hbone-peer.js</c> (Node's http2 over tls: nghttp2 and OpenSSL, nothing of ours) run inside a test
/// namespace: as an HBONE client into a proxy's 15008, as UID 1337 so the pod's capture rules leave it alone as they
/// leave a sidecar's own traffic; or as the HBONE server a proxy's outbound tunnel reaches.
/// </summary>
internal static class NodeHbonePeer
{
    private static readonly Lazy<string> s_staged = new(Stage);

    /// <summary>Runs one client exchange (<c>client --connect … --authority … [options]</c>) and returns its JSON line.</summary>
    public static JsonElement Client(TestNamespace ns, string connect, string authority, string credentials, IEnumerable<string>? options = null)
    {
        string[] arguments =
        [
            "setpriv", "--reuid=1337", "--regid=1337", "--clear-groups", "node", s_staged.Value, "client",
            "--connect", connect, "--authority", authority,
            "--cert", Path.Combine(credentials, "cert-chain.pem"), "--key", Path.Combine(credentials, "key.pem"),
            "--ca", Path.Combine(credentials, "root-cert.pem"), "--timeout", "10000", .. options ?? [],
        ];
        ProcessResult result = ns.Exec(arguments[0], arguments[1..]);
        string line = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"hbone-peer.js printed nothing: {result}");
        using JsonDocument document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>Starts <c>server --listen <paramref name="listen"/></c> in <paramref name="ns"/> and waits for its first line.</summary>
    public static async Task<BackgroundProcess> StartServerAsync(TestNamespace ns, string listen, string credentials)
    {
        BackgroundProcess server = ns.StartProcess("node", s_staged.Value, "server", "--listen", listen,
            "--cert", Path.Combine(credentials, "cert-chain.pem"), "--key", Path.Combine(credentials, "key.pem"),
            "--ca", Path.Combine(credentials, "root-cert.pem"));
        long started = TimeProvider.System.GetTimestamp();
        while (!server.Stdout.Contains("\"listening\"", StringComparison.Ordinal))
        {
            if (server.HasExited || TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                string why = $"hbone-peer.js server did not start: {server.Stdout} {server.Stderr}";
                server.Dispose();
                throw new InvalidOperationException(why);
            }

            await Task.Delay(20);
        }

        return server;
    }

    /// <summary>The JSON lines a server logged for its streams (not its <c>listening</c> line).</summary>
    public static List<JsonElement> Streams(BackgroundProcess server)
    {
        List<JsonElement> streams = [];
        foreach (string line in server.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty("method", out _))
            {
                streams.Add(document.RootElement.Clone());
            }
        }

        return streams;
    }

    /// <summary>Copies the script where UID 1337 can read it (the repository may be readable by root only).</summary>
    private static string Stage()
    {
        string source = Path.Combine(PublishedExecutables.RepositoryRoot(), "tests", "node", "hbone-peer.js");
        string directory = Directory.CreateTempSubdirectory("cap-hbone-node-").FullName;
        string target = Path.Combine(directory, "hbone-peer.js");
        File.Copy(source, target);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0x1ED);
            File.SetUnixFileMode(target, (UnixFileMode)0x1A4);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort at exit.
            }
        };
        return target;
    }
}
