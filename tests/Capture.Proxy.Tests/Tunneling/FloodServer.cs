using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Capture.Proxy.Tests.Tunneling;

/// <summary>
/// A loopback app that, once connected, sends <see cref="Total"/> bytes as fast as the connection takes them, then FIN;
/// <see cref="Written"/> tells how far it got, so a test can see where back-pressure held it.
/// </summary>
internal sealed class FloodServer : IDisposable
{
    private const int Chunk = 64 * 1024;

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly byte[] _chunk = new byte[Chunk];
    private long _written;

    public FloodServer(long total)
    {
        Total = total;
        new Random(4711).NextBytes(_chunk);
        using IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long sent = 0; sent < total; sent += Chunk)
        {
            sha.AppendData(_chunk, 0, (int)Math.Min(Chunk, total - sent));
        }

        Sha256 = Convert.ToHexStringLower(sha.GetHashAndReset());
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        Finished = FloodAsync();
    }

    public long Total { get; }

    /// <summary>SHA-256 of everything it sends, lower-case hex (as Node prints it).</summary>
    public string Sha256 { get; }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Written => Interlocked.Read(ref _written);

    public Task Finished { get; }

    public void Dispose() => _listener.Dispose();

    private async Task FloodAsync()
    {
        using Socket client = await _listener.AcceptAsync();
        Connected.TrySetResult();
        for (long sent = 0; sent < Total; sent += Chunk)
        {
            int n = (int)Math.Min(Chunk, Total - sent);
            await client.SendAsync(_chunk.AsMemory(0, n));
            Interlocked.Add(ref _written, n);
        }

        client.Shutdown(SocketShutdown.Send);
        byte[] drain = new byte[Chunk];
        while (await client.ReceiveAsync(drain) > 0)
        {
            // The client's bytes (none here) until its FIN.
        }
    }
}
