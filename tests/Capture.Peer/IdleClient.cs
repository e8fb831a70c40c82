using System.Net;
using System.Net.Sockets;

namespace Capture.Peer;

/// <summary>
/// Opens COUNT connections (PARALLEL connects at a time) and holds them idle until SIGTERM/SIGINT or HOLD seconds,
/// so a script can read the proxy's memory under that many open connections. Prints <c>opened=N failed=M</c> once
/// every connect has finished; exit 1 if any failed.
/// </summary>
internal static class IdleClient
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(PeerArgs options, CancellationToken cancellationToken)
    {
        IPEndPoint target = options.Target(9003);
        int count = options.Int("count", 10_000, 1, 1_000_000);
        int parallel = options.Int("parallel", 256, 1, 10_000);
        TimeSpan hold = options.Seconds("hold", 60);
        options.ThrowIfUnused();

        var sockets = new Socket?[count];
        int next = -1;
        long failed = 0;
        string? firstError = null;
        var workers = new Task[Math.Min(parallel, count)];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && !cancellationToken.IsCancellationRequested)
                {
                    try
                    {
                        sockets[i] = await Net.ConnectAsync(target, s_connectTimeout, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SocketException e)
                    {
                        if (Interlocked.Increment(ref failed) == 1)
                        {
                            firstError = e.SocketErrorCode.ToString();
                        }
                    }
                }
            }, CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
            int opened = sockets.Count(s => s is not null);
            Report.Result("idle-client", ("opened", opened), ("failed", failed), ("first_error", firstError ?? "none"));
            Report.Human($"{opened} idle connections open to {target} ({failed} failed); holding for up to {hold.TotalSeconds:0} s");
            try
            {
                await Task.Delay(hold, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM/SIGINT is how the benchmark says "measured, you can go": a normal end.
            }

            return failed == 0 && opened == count ? ExitCodes.Success : ExitCodes.Failure;
        }
        finally
        {
            foreach (Socket? socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }
}
