using System.Net.Sockets;
using System.Security.Cryptography;

namespace Capture.Proxy.Tests.Relaying;

internal static class StreamHelpers
{
    /// <summary>Sends <paramref name="length"/> pseudo-random bytes from <paramref name="seed"/>; returns their SHA-256.</summary>
    public static async Task<byte[]> SendRandomAsync(Socket socket, long length, int seed)
    {
        Random random = new(seed);
        byte[] buffer = new byte[64 * 1024];
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long remaining = length;
        while (remaining > 0)
        {
            int chunk = (int)Math.Min(buffer.Length, remaining);
            random.NextBytes(buffer.AsSpan(0, chunk));
            hash.AppendData(buffer, 0, chunk);
            int sent = 0;
            while (sent < chunk)
            {
                sent += await socket.SendAsync(buffer.AsMemory(sent, chunk - sent));
            }

            remaining -= chunk;
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Reads to EOF; returns the byte count and SHA-256.</summary>
    public static async Task<(long Length, byte[] Hash)> ReceiveAllAsync(Socket socket)
    {
        byte[] buffer = new byte[64 * 1024];
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, hash.GetHashAndReset());
    }
}
