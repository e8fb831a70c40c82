using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Identity;
using Capture.Proxy.Workloads;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>
/// Carries handed-off outbound connections: through an HBONE tunnel (a CONNECT stream on a pooled connection to
/// the workload's 15008), or plainly to a workload chosen behind a service VIP. A refusal (TLS, identity, 4xx/5xx,
/// connect) resets the app's connection at once, as a failed connect does on the passthrough path.
/// </summary>
internal sealed partial class OutboundTunnels(TunnelPool pool, Func<WorkloadCredentials?> credentials, IHboneEvents events, ILogger logger,
    int hbonePort, TimeSpan connectTimeout)
{
    public async Task RunAsync(HandedOffConnection connection, OutboundRoute route)
    {
        Socket app;
        try
        {
            app = connection.TakeClientSocket();
        }
        catch (InvalidOperationException)
        {
            connection.Complete(ConnectionEndReason.Failed);
            return;
        }

        try
        {
            if (route.Kind == OutboundRouteKind.Direct)
            {
                await RunDirectAsync(connection, app, route).ConfigureAwait(false);
            }
            else
            {
                await RunTunnelAsync(connection, app, route).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Failed(logger, connection.Info.SourceEndPoint, route.Target, ex);
            Reset(app);
            connection.Complete(ConnectionEndReason.Failed);
        }
    }

    private async Task RunTunnelAsync(HandedOffConnection connection, Socket app, OutboundRoute route)
    {
        long started = Stopwatch.GetTimestamp();
        IPEndPoint peer = new(route.Target.Address, hbonePort);
        IPEndPoint source = connection.Info.SourceEndPoint;
        WorkloadCredentials? current = credentials();
        if (current is null)
        {
            Refuse(connection, app, route, peer, TunnelFailure.Tls, 0, "no usable certificate in --certs");
            return;
        }

        TunnelLease lease;
        try
        {
            lease = await pool.AcquireAsync(peer, current, route.ExpectedIdentities, connection.Aborted).ConfigureAwait(false);
        }
        catch (TunnelDialException ex)
        {
            Refuse(connection, app, route, peer, ex.Failure, 0, ex.Message);
            return;
        }
        catch (OperationCanceledException)
        {
            Reset(app);
            connection.Complete(ConnectionEndReason.Drained);
            return;
        }

        using (lease)
        {
            string identity = PeerIdentity(route);
            connection.SetTunnel(new TunnelDetails(identity, peer));
            TunnelConnectResult result;
            try
            {
                // ztunnel's headers: the authority is the workload address and target port; forwarded names the app.
                result = await lease.Connection.ConnectAsync(Authority(route.Target), [new("forwarded", Forwarded(source))], connection.Aborted)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
            {
                Refuse(connection, app, route, peer, TunnelFailure.Protocol, 0, ex.Message);
                return;
            }

            if (result.Stream is null || result.End is null || result.Status is < 200 or > 299)
            {
                TunnelFailure failure = result.Status is >= 400 and < 500 ? TunnelFailure.ClientError : TunnelFailure.ServerError;
                Refuse(connection, app, route, peer, failure, result.Status, $"CONNECT {Authority(route.Target)} answered {result.Status}");
                return;
            }

            connection.Connected(Stopwatch.GetElapsedTime(started), 1);
            events.StreamOpened(TrafficDirection.Outbound);
            TunnelRelayResult relayed;
            await using (result.Stream.ConfigureAwait(false))
            {
                TunnelRelay relay = new(app, result.Stream, result.Stream, result.End, events, TrafficDirection.Outbound, socketIsClient: true,
                    connection.Aborted, connection);
                relayed = await relay.RunAsync().ConfigureAwait(false);
            }

            ConnectionEndReason end = EndReason(relayed.End);
            events.StreamClosed(new TunnelStreamSummary
            {
                Direction = TrafficDirection.Outbound,
                Source = source,
                Destination = connection.Info.DestinationEndPoint ?? route.Target,
                TunnelPeer = peer,
                PeerIdentity = identity,
                Status = 200,
                BytesUpstream = relayed.SocketToTunnel,
                BytesDownstream = relayed.TunnelToSocket,
                Duration = Stopwatch.GetElapsedTime(started),
                EndReason = end,
                Detail = relayed.Detail,
            });
            connection.Complete(end);
        }
    }

    private async Task RunDirectAsync(HandedOffConnection connection, Socket app, OutboundRoute route)
    {
        long started = Stopwatch.GetTimestamp();
        Socket upstream = new(route.Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.Aborted);
            deadline.CancelAfter(connectTimeout);
            await upstream.ConnectAsync(route.Target, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            upstream.Dispose();
            Errno error = ex is SocketException socketError ? (Errno)socketError.ErrorCode : Errno.ETIMEDOUT;
            connection.ConnectFailed(ex is SocketException ? ConnectFailure.Refused : ConnectFailure.Timeout, error, 1);
            Reset(app);
            connection.Complete(ConnectionEndReason.ConnectFailed, error);
            return;
        }

        connection.Connected(Stopwatch.GetElapsedTime(started), 1);
        await using NetworkStream stream = new(upstream, ownsSocket: true);
        TunnelRelay relay = new(app, stream, stream, new SocketStreamEnd(upstream), NullEvents, TrafficDirection.Outbound, socketIsClient: true,
            connection.Aborted, connection);
        TunnelRelayResult relayed = await relay.RunAsync().ConfigureAwait(false);
        connection.Complete(EndReason(relayed.End));
    }

    private void Refuse(HandedOffConnection connection, Socket app, OutboundRoute route, IPEndPoint peer, TunnelFailure failure, int status, string detail)
    {
        Log.Refused(logger, connection.Info.SourceEndPoint, route.Target, peer, TunnelFailureNames.Label(failure), detail);
        events.StreamFailed(TrafficDirection.Outbound, failure);
        connection.SetTunnel(new TunnelDetails(PeerIdentity(route), peer));
        connection.ConnectFailed(failure == TunnelFailure.Connect ? ConnectFailure.Refused : ConnectFailure.Other, Errno.None, 1);
        Reset(app);
        connection.Complete(ConnectionEndReason.ConnectFailed);
        _ = status;
    }

    private static ConnectionEndReason EndReason(TunnelRelayEnd end) => end switch
    {
        TunnelRelayEnd.Completed => ConnectionEndReason.Completed,
        TunnelRelayEnd.SocketReset => ConnectionEndReason.ClientReset,
        TunnelRelayEnd.TunnelReset => ConnectionEndReason.UpstreamReset,
        _ => ConnectionEndReason.Drained,
    };

    private static string PeerIdentity(OutboundRoute route) => route.ExpectedIdentities.Count > 0 ? route.ExpectedIdentities[0] : "";

    /// <summary><c>ip:port</c>, IPv6 bracketed (RFC 9113 §8.5: the authority of a CONNECT).</summary>
    internal static string Authority(IPEndPoint target) => target.ToString();

    internal static string Forwarded(IPEndPoint source) =>
        "for=\"" + source.ToString() + "\"";

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // the app sees a reset, as when a connect fails
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: close below is all that is left.
        }

        socket.Close();
    }

    private static readonly IHboneEvents NullEvents = new NullHboneEvents();

    private sealed class NullHboneEvents : IHboneEvents
    {
        public void HandshakeCompleted(TrafficDirection direction, Tls.TlsFailure failure)
        {
        }

        public void StreamOpened(TrafficDirection direction)
        {
        }

        public void StreamFailed(TrafficDirection direction, TunnelFailure failure)
        {
        }

        public void BytesTunnelled(TrafficDirection direction, long upstream, long downstream)
        {
        }

        public void StreamClosed(TunnelStreamSummary summary)
        {
        }

        public void PooledConnectionsChanged(int delta)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 874, Level = LogLevel.Warning, EventName = "OutboundTunnelRefused",
            Message = "HBONE {Source} -> {Target} via {Peer} refused ({Cause}): {Detail}; the app's connection was reset")]
        public static partial void Refused(ILogger logger, IPEndPoint source, IPEndPoint target, IPEndPoint peer, string cause, string detail);

        [LoggerMessage(EventId = 875, Level = LogLevel.Warning, EventName = "OutboundTunnelFailed",
            Message = "HBONE {Source} -> {Target} failed unexpectedly")]
        public static partial void Failed(ILogger logger, IPEndPoint source, IPEndPoint target, Exception exception);
    }
}
