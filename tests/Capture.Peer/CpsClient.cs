using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Capture.Peer;

/// <summary>
/// Short connections: CONCURRENCY workers each loop connect, send SIZE bytes, read SIZE bytes, read the server's
/// FIN, close — for DURATION seconds. Prints completed connections per second and the failures by kind.
/// </summary>
internal static class CpsClient
{
    private static readonly TimeSpan s_operationTimeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(PeerArgs options, CancellationToken cancellationToken)
    {
        IPEndPoint target = options.Target(9002);
        int concurrency = options.Int("concurrency", 64, 1, 10_000);
        TimeSpan duration = options.Seconds("duration", 5);
        int size = options.Int("size", 1024, 1, 1 << 20);
        options.ThrowIfUnused();

        var counters = new Counters();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long started = Stopwatch.GetTimestamp();
        stop.CancelAfter(duration);
        Task[] workers = new Task[concurrency];
        for (int i = 0; i < concurrency; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(target, size, counters, stop.Token), CancellationToken.None);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        double cps = counters.Completed / seconds;
        Report.Result("cps-client", ("connections", counters.Completed), ("seconds", seconds), ("cps", cps),
            ("errors", counters.Errors), ("first_error", counters.FirstError ?? "none"));
        Report.Human($"{counters.Completed} connections of {size} bytes each way to {target} in {seconds:0.0} s, {concurrency} at a time: {cps:0} per second, {counters.Errors} failed");

        // A path that drops more than 1 % of connections is broken, whatever its rate.
        return counters.Completed > 0 && counters.Errors * 100 <= counters.Completed ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task WorkAsync(IPEndPoint target, int size, Counters counters, CancellationToken stop)
    {
        byte[] request = new byte[size];
        Array.Fill(request, (byte)'q');
        byte[] reply = new byte[size];
        byte[] tail = new byte[1];
        while (!stop.IsCancellationRequested)
        {
            // Each connection runs to completion even when the run ends mid-way, bounded by its own timeout,
            // so the count never includes a half-done connection and the servers see no aborted ones.
            using var deadline = new CancellationTokenSource(s_operationTimeout);
            try
            {
                using Socket socket = await Net.ConnectAsync(target, s_operationTimeout, deadline.Token).ConfigureAwait(false);
                await socket.SendAsync(request, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                bool full = await Net.ReceiveExactlyAsync(socket, reply, deadline.Token).ConfigureAwait(false);
                int after = full ? await socket.ReceiveAsync(tail, SocketFlags.None, deadline.Token).ConfigureAwait(false) : -1;
                if (full && after == 0)
                {
                    counters.Complete();
                }
                else
                {
                    counters.Fail(full ? "extra-bytes" : "short-reply");
                }
            }
            catch (SocketException e)
            {
                counters.Fail(e.SocketErrorCode.ToString());
            }
            catch (OperationCanceledException)
            {
                counters.Fail("timeout");
            }
        }
    }

    private sealed class Counters
    {
        private long _completed;
        private long _errors;

        public long Completed => Interlocked.Read(ref _completed);

        public long Errors => Interlocked.Read(ref _errors);

        public string? FirstError { get; private set; }

        public void Complete() => Interlocked.Increment(ref _completed);

        public void Fail(string kind)
        {
            if (Interlocked.Increment(ref _errors) == 1)
            {
                FirstError = kind;
            }
        }
    }
}
