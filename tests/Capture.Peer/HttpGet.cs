using System.Net;

namespace Capture.Peer;

/// <summary><c>http-get URL</c>: prints the body to stdout and the status to stderr; exit 1 unless 2xx.</summary>
internal static class HttpGet
{
    public static async Task<int> RunAsync(PeerArgs options, CancellationToken cancellationToken)
    {
        Dictionary<string, IPAddress> resolve = MiniHttp.ParseResolve(options.String("resolve"));
        TimeSpan timeout = options.Seconds("timeout", 5);
        options.ThrowIfUnused(maxPositionals: 1);
        if (options.Positionals.Count != 1)
        {
            throw new UsageException("http-get needs exactly one URL");
        }

        string url = options.Positionals[0];
        MiniHttp.Response response = await MiniHttp.GetAsync(url, resolve, timeout, cancellationToken).ConfigureAwait(false);
        Console.Out.Write(response.Body);
        Console.Out.Flush();
        Report.Human($"GET {url}: {response.StatusLine}");
        return response.Status is >= 200 and < 300 ? ExitCodes.Success : ExitCodes.Failure;
    }
}
