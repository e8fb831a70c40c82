using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Capture.Peer;

/// <summary>
/// 1-byte ping-pong on one connection: COUNT round trips after WARMUP, each timed with the monotonic clock.
/// Blocking calls on purpose: an async round trip adds thread-pool hops that would dwarf what a proxy adds.
/// </summary>
internal static class RrClient
{
    private const int ReceiveTimeoutMs = 5000;

    public static int Run(PeerArgs options, CancellationToken cancellationToken)
    {
        IPEndPoint target = options.Target(9001);
        int count = options.Int("count", 20_000, 1, 10_000_000);
        int warmup = options.Int("warmup", 1_000, 0, 1_000_000);
        options.ThrowIfUnused();

        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = ReceiveTimeoutMs,
            SendTimeout = ReceiveTimeoutMs,
        };
        socket.Connect(target);

        byte[] ping = [(byte)'p'];
        byte[] pong = new byte[1];
        long[] ticks = new long[count];
        for (int i = -warmup; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            socket.Send(ping);
            if (socket.Receive(pong) != 1)
            {
                Report.Human($"rr-client: {target} closed the connection after {Math.Max(0, i)} round trips");
                return ExitCodes.Failure;
            }

            if (i >= 0)
            {
                ticks[i] = Stopwatch.GetTimestamp() - start;
            }
        }

        socket.Shutdown(SocketShutdown.Send);
        Array.Sort(ticks);
        double p50 = Micros(Percentile(ticks, 0.50));
        double p90 = Micros(Percentile(ticks, 0.90));
        double p99 = Micros(Percentile(ticks, 0.99));
        double mean = Micros((long)ticks.Average());
        Report.Result("rr-client", ("count", count), ("p50_us", p50), ("p90_us", p90), ("p99_us", p99), ("mean_us", mean), ("max_us", Micros(ticks[^1])));
        Report.Human($"{count} round trips of 1 byte to {target}: p50 {p50:0.0} µs, p99 {p99:0.0} µs");
        return ExitCodes.Success;
    }

    // Nearest-rank percentile over sorted samples.
    private static long Percentile(long[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
