using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Capture.Peer;

/// <summary>
/// capture-peer: the apps and load generators of the demo and the benchmark. Plain sockets, async, no packages,
/// so what is measured is the path (capture rules and proxy), not this tool.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: capture-peer VERB [options]
          http-server --port 9080 --name NAME [--call URL] [--resolve HOST=IP] [--bind ADDR]
                      answers every GET with its name and the addresses it saw; with --call, also fetches URL and includes the reply
          http-get URL [--resolve HOST=IP] [--timeout S]     prints the body; exit 1 on a connection error or a non-2xx status
          echo-server | rr-server | idle-server --port P [--bind ADDR]   echoes every byte back
          cps-server --port P [--size 1024]                   reads SIZE bytes, answers SIZE bytes, closes
          rr-client --host IP --port P [--count 20000] [--warmup 1000]   1-byte ping-pong; prints p50/p99 in microseconds
          cps-client --host IP --port P [--concurrency 64] [--duration 5] [--size 1024]   short connections per second
          idle-client --host IP --port P [--count 10000] [--hold 60]     opens COUNT idle connections, holds them until
                      SIGTERM/SIGINT or --hold seconds; prints opened=N once all are open
        servers run until SIGTERM/SIGINT or --duration S. Exit codes: 0 ok, 1 network failure, 2 bad command line.
        """;

    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Success;
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);

        try
        {
            var options = new PeerArgs(args.Skip(1));
            return args[0] switch
            {
                "http-server" => await HttpServer.RunAsync(options, stop.Token).ConfigureAwait(false),
                "http-get" => await HttpGet.RunAsync(options, stop.Token).ConfigureAwait(false),
                "echo-server" or "rr-server" or "idle-server" => await EchoServer.RunAsync(args[0], options, stop.Token).ConfigureAwait(false),
                "cps-server" => await CpsServer.RunAsync(options, stop.Token).ConfigureAwait(false),
                "rr-client" => RrClient.Run(options, stop.Token),
                "cps-client" => await CpsClient.RunAsync(options, stop.Token).ConfigureAwait(false),
                "idle-client" => await IdleClient.RunAsync(options, stop.Token).ConfigureAwait(false),
                _ => throw new UsageException($"unknown verb '{args[0]}' (try --help)"),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("capture-peer: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (SocketException e)
        {
            // The network said no (refused, unreachable, address in use): one line, not a stack trace.
            Console.Error.WriteLine($"capture-peer {args[0]}: {e.SocketErrorCode}: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true; // we stop in order (servers close listeners, idle-client reports) instead of dying
            stop.Cancel();
        }
    }
}
