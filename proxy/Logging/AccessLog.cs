using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Metrics;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Logging;

/// <summary>
/// One line per finished connection: direction, client, original destination, bytes each way, duration, how it ended
/// (and the errno when there was one), how much went through splice, and how it travelled: <c>via=passthrough</c>, or
/// <c>via=hbone</c> with the peer's identity and the tunnel's remote address; <c>policy=</c> names the authorization policy
/// that decided (<c>-</c> when none did). Category <see cref="ProxyLogging.AccessLogCategory"/>.
/// </summary>
internal sealed partial class AccessLog(ILogger logger)
{
    public AccessLog(ILoggerFactory loggerFactory)
        : this(loggerFactory.CreateLogger(ProxyLogging.AccessLogCategory))
    {
    }

    private const string Passthrough = "passthrough";
    private const string Hbone = "hbone";

    public bool IsEnabled => logger.IsEnabled(LogLevel.Information);

    public void Write(in ConnectionSummary summary)
    {
        // Formatting endpoints allocates; skip all of it when the access log is off.
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        string source = summary.Info.Source.ToString();
        string destination = summary.Info.Destination.ToString();
        string direction = Label.Name(summary.Info.Direction);
        string end = Label.Name(summary.EndReason);
        string error = summary.Error == Errno.None ? "-" : summary.Error.ToString();
        long durationMs = (long)summary.Duration.TotalMilliseconds;
        TunnelDetails? tunnel = summary.Tunnel;
        string via = tunnel is null ? Passthrough : Hbone;
        string peer = tunnel?.PeerIdentity is { Length: > 0 } identity ? identity : "-";
        string tunnelPeer = tunnel?.TunnelPeer.ToString() ?? "-";
        string policy = summary.Policy is { Length: > 0 } decided ? decided : "-";
        Log.Connection(logger, direction, source, destination, summary.BytesUpstream, summary.BytesDownstream, durationMs,
            end, error, summary.SplicedBytes, summary.CopiedBytes, via, peer, tunnelPeer, policy);
    }

    /// <summary>One line for a stream that arrived through 15008 (it never passed an event loop), in the same shape.</summary>
    public void Write(Tunneling.TunnelStreamSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        string error = summary.Failure is null ? "-" : summary.Status != 0 ? "http_" + summary.Status : Tunneling.TunnelFailureNames.Label(summary.Failure.Value);
        string direction = Label.Name(summary.Direction);
        string source = summary.Source.ToString();
        string destination = summary.Destination.ToString();
        string end = Label.Name(summary.EndReason);
        long durationMs = (long)summary.Duration.TotalMilliseconds;
        long copied = summary.BytesUpstream + summary.BytesDownstream;
        string peer = summary.PeerIdentity.Length > 0 ? summary.PeerIdentity : "-";
        string tunnelPeer = summary.TunnelPeer.ToString();
        string policy = summary.Policy.Length > 0 ? summary.Policy : "-";
        Log.Connection(logger, direction, source, destination, summary.BytesUpstream, summary.BytesDownstream, durationMs, end, error, 0,
            copied, Hbone, peer, tunnelPeer, policy);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Information, EventName = "AccessLog", SkipEnabledCheck = true,
            Message = "{Direction} {Source} -> {Destination} up={BytesUpstream} down={BytesDownstream} duration_ms={DurationMs} end={End} error={Error} spliced={BytesSpliced} copied={BytesCopied} via={Via} peer={PeerIdentity} tunnel={TunnelPeer} policy={Policy}")]
        public static partial void Connection(ILogger logger, string direction, string source, string destination,
            long bytesUpstream, long bytesDownstream, long durationMs, string end, string error, long bytesSpliced, long bytesCopied,
            string via, string peerIdentity, string tunnelPeer, string policy);
    }
}
