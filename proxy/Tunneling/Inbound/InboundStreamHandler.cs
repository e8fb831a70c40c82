using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Contracts;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// One CONNECT stream on 15008: checked (CONNECT only, authority one of this pod's addresses: else 400), judged by the
/// authorization policies (401 when denied), connected to the app (503 if that fails), answered 200 only then, and
/// relayed both ways until both ends are done.
/// </summary>
internal sealed partial class InboundStreamHandler(
    HboneInboundOptions options, LocalAddresses localAddresses, InboundUpstream upstreams, IHboneEvents events, ILogger logger, CancellationToken stop)
{
    private long _activeStreams;

    /// <summary>Streams being set up or relayed right now.</summary>
    public long ActiveStreams => Interlocked.Read(ref _activeStreams);

    public async Task HandleAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _activeStreams);
        try
        {
            await HandleStreamAsync(context, started).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _activeStreams);
        }
    }

    private async Task HandleStreamAsync(HttpContext context, long started)
    {
        InboundPeer? peer = context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(InboundPeer.ItemKey, out object? item) == true
            ? item as InboundPeer
            : null;
        IPEndPoint tunnelPeer = peer?.Address ?? new IPEndPoint(context.Connection.RemoteIpAddress ?? IPAddress.None, context.Connection.RemotePort);
        TunnelStreamSummary summary = new()
        {
            Direction = TrafficDirection.Inbound,
            Source = Forwarded(context.Request.Headers["forwarded"]) ?? tunnelPeer,
            Destination = new IPEndPoint(IPAddress.None, 0),
            TunnelPeer = tunnelPeer,
            PeerIdentity = peer?.Identity ?? "",
        };

        if (!HttpMethods.IsConnect(context.Request.Method))
        {
            Refuse(context, summary, started, StatusCodes.Status400BadRequest, $"method {context.Request.Method} is not CONNECT");
            return;
        }

        string authority = context.Request.Host.Value ?? "";
        if (!TryParseAuthority(authority, out IPEndPoint? target))
        {
            Refuse(context, summary, started, StatusCodes.Status400BadRequest, $"authority \"{authority}\" is not ip:port");
            return;
        }

        summary = summary with { Destination = target };
        if (!localAddresses.IsLocal(target.Address, context.Connection.LocalIpAddress))
        {
            Refuse(context, summary, started, StatusCodes.Status400BadRequest, $"{target.Address} is not an address of this pod");
            return;
        }

        // Judged before the app is connected: a denied stream never reaches it. The address the policies see is the
        // tunnel's peer (the connection we verified), not the forwarded header its sender wrote.
        if (options.Authorizer?.Check(summary.PeerIdentity, tunnelPeer, target) is { } decision)
        {
            summary = summary with { Policy = decision.PolicyKey };
            if (!decision.Allowed)
            {
                Refuse(context, summary, started, StatusCodes.Status401Unauthorized, decision.Describe(), TunnelFailure.ClientError, ConnectionEndReason.Denied);
                return;
            }
        }

        Socket upstream;
        try
        {
            upstream = await upstreams.ConnectAsync(target, tunnelPeer.Address, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            string reason = ex is OperationCanceledException ? $"no answer within {options.ConnectTimeout}" : ex.Message;
            Refuse(context, summary, started, StatusCodes.Status503ServiceUnavailable, $"connect to {target} failed: {reason}", TunnelFailure.Connect);
            return;
        }

        TunnelRelayResult result;
        try
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            // StartAsync only queues HEADERS on HTTP/2; the client must see the 200 before any byte flows.
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            events.StreamOpened(TrafficDirection.Inbound);
            Log.Opened(logger, summary.TunnelPeer, summary.PeerIdentity, target);
            TunnelRelay relay = new(upstream, context.Request.BodyReader, context.Response.BodyWriter, new HttpStreamEnd(context), events,
                TrafficDirection.Inbound, socketIsClient: false, stop);
            result = await relay.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away between our connect and the 200.
            upstream.LingerState = new LingerOption(true, 0);
            upstream.Dispose();
            result = new TunnelRelayResult(TunnelRelayEnd.TunnelReset, 0, 0, ex.Message);
        }

        events.StreamClosed(summary with
        {
            Status = StatusCodes.Status200OK,
            BytesUpstream = result.TunnelToSocket,
            BytesDownstream = result.SocketToTunnel,
            Duration = Stopwatch.GetElapsedTime(started),
            EndReason = result.End switch
            {
                TunnelRelayEnd.Completed => ConnectionEndReason.Completed,
                TunnelRelayEnd.TunnelReset => ConnectionEndReason.ClientReset,
                TunnelRelayEnd.SocketReset => ConnectionEndReason.UpstreamReset,
                _ => ConnectionEndReason.Drained,
            },
            Detail = result.End == TunnelRelayEnd.Completed ? "" : result.Detail,
        });
    }

    private void Refuse(HttpContext context, TunnelStreamSummary summary, long started, int status, string detail,
        TunnelFailure failure = TunnelFailure.ClientError, ConnectionEndReason end = ConnectionEndReason.ConnectFailed)
    {
        context.Response.StatusCode = status;
        Log.Refused(logger, summary.TunnelPeer, summary.PeerIdentity, status, detail);
        events.StreamFailed(TrafficDirection.Inbound, failure);
        events.StreamClosed(summary with
        {
            Status = status,
            Duration = Stopwatch.GetElapsedTime(started),
            EndReason = end,
            Failure = failure,
            Detail = detail,
        });
    }

    /// <summary>
    /// <c>ip:port</c> or <c>[ip6]:port</c>, with a port; nothing else (no names: the authority is an address).
    /// <c>[::ffff:a.b.c.d]:port</c> is read as <c>a.b.c.d:port</c>, as the local-address check reads it: the app is
    /// then reached over IPv4 (from 127.0.0.6), not with an IPv6 socket bound to ::6 that cannot reach it.
    /// </summary>
    internal static bool TryParseAuthority(string authority, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        int colon = authority.LastIndexOf(':');
        if (colon <= 0 || colon == authority.Length - 1)
        {
            return false;
        }

        string host = authority[..colon];
        bool bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (host.Contains(':', StringComparison.Ordinal) && !bracketed)
        {
            return false; // an IPv6 address must be bracketed, or its last group would read as the port
        }

        if (!IPEndPoint.TryParse(authority, out endPoint) || endPoint.Port == 0 ||
            endPoint.AddressFamily != (bracketed ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork))
        {
            return false;
        }

        if (endPoint.Address.IsIPv4MappedToIPv6)
        {
            endPoint = new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port);
        }

        return true;
    }

    /// <summary>The app's address from <c>forwarded: for="ip:port"</c> (RFC 7239), as ztunnel sends it; null if absent or odd.</summary>
    internal static IPEndPoint? Forwarded(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        foreach (string part in header.Split([';', ','], StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("for=", StringComparison.OrdinalIgnoreCase))
            {
                string value = part[4..].Trim('"');
                return IPEndPoint.TryParse(value, out IPEndPoint? endPoint) ? endPoint : null;
            }
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 844, Level = LogLevel.Debug, EventName = "InboundStreamOpened",
            Message = "HBONE stream from {Remote} ({Identity}) connected to {Target}")]
        public static partial void Opened(ILogger logger, IPEndPoint remote, string identity, IPEndPoint target);

        [LoggerMessage(EventId = 843, Level = LogLevel.Warning, EventName = "InboundStreamRefused",
            Message = "HBONE stream from {Remote} ({Identity}) answered {Status}: {Detail}")]
        public static partial void Refused(ILogger logger, IPEndPoint remote, string identity, int status, string detail);
    }
}
