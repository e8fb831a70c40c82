using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Capture.Init.Configuration;
using Capture.Init.Rules;
using Capture.NativeShims;
using Capture.NativeShims.Namespaces;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Applying;

/// <summary>
/// <c>--run-validation</c>: proves the rules redirect. Listens on the loopback proxy ports (p and z), then, acting as
/// the proxy UID, dials the inbound-passthrough address (127.0.0.6, and ::6 with IPv6) on the probe port once a second;
/// the rules send that connection (lo, not 127.0.0.1, owner = proxy) to ISTIO_IN_REDIRECT, so it arrives on z with the
/// probe port as its original destination. Nothing arriving before the timeout means the capture does not work.
/// </summary>
/// <remarks>
/// The dialing socket is created on a dedicated thread that entered the namespace and switched its own effective
/// uid/gid with the raw setresuid/setresgid system calls (<see cref="ThreadCredentials"/>): <c>-m owner</c> matches the
/// credentials a socket was created with, so this is exactly what the proxy's sockets look like, without spawning a
/// helper (no dependency on setpriv or bash in the init image, no process start on the clock) and without touching
/// the credentials of the rest of the process.
/// </remarks>
internal sealed partial class RedirectValidator
{
    /// <summary>Istio's inbound-passthrough source addresses, which the rules redirect when the proxy dials them.</summary>
    /// <summary>How long the TPROXY plan's just-added ::6 may take to become usable (normally well under a millisecond).</summary>
    private static readonly TimeSpan s_addressSettleTime = TimeSpan.FromSeconds(3);

    private static readonly IPAddress s_passthroughV4 = CaptureRuleBuilder.Ipv4Passthrough.BaseAddress;
    private static readonly IPAddress s_passthroughV6 = CaptureRuleBuilder.Ipv6Passthrough.BaseAddress;

    /// <summary>One dial per second, as istio-iptables' validation does.</summary>
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public RedirectValidator(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    /// <summary>True when a probe connection of each checked family arrived redirected before <see cref="RunOptions.ProbeTimeout"/>.</summary>
    public async Task<bool> ValidateAsync(CaptureOptions options, bool ipv6, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        (uint uid, uint gid) = ProxyIdentity(options);
        string? netns = options.Run.NetworkNamespace;
        List<(IPAddress Listen, IPAddress Dial)> families = [(IPAddress.Loopback, s_passthroughV4)];
        if (ipv6)
        {
            // ::6 routes to lo only once it is a local address (the TPROXY plan adds it); otherwise the dial would leave
            // through the default route and prove nothing, so IPv6 is checked only where it can be.
            bool planAddsIt = options.Rules.InterceptionMode == InterceptionMode.TProxy;
            if (await IsLocalSoonAsync(netns, s_passthroughV6, planAddsIt ? s_addressSettleTime : TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
            {
                families.Add((IPAddress.IPv6Loopback, s_passthroughV6));
            }
            else
            {
                Log.Ipv6Skipped(_logger);
            }
        }

        List<Socket> listeners = NetworkNamespace.Run(netns, () => Listen(families.Select(f => f.Listen), options));
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var confirmed = new HashSet<AddressFamily>();
            var arrivals = listeners.Select(listener => AcceptRedirectedAsync(listener, options.Run.ProbePort, stop.Token)).ToList();
            Task dialer = NetworkNamespace.RunAsync(netns, () =>
            {
                ThreadCredentials.SetEffectiveIds(uid, gid);
                Dial(families.Select(f => f.Dial).ToList(), options.Run.ProbePort, options.Run.ProbeTimeout, confirmed, stop.Token);
                return true;
            });

            Task timeout = Task.Delay(options.Run.ProbeTimeout, _time, stop.Token);
            while (confirmed.Count < families.Count)
            {
                Task finished = await Task.WhenAny(arrivals.Append(timeout).Append(dialer)).ConfigureAwait(false);
                if (finished == timeout || finished == dialer)
                {
                    await finished.ConfigureAwait(false); // surfaces a dialer failure (e.g. setresuid refused)
                    break;
                }

                arrivals.Remove((Task<AddressFamily>)finished);
                AddressFamily family = await ((Task<AddressFamily>)finished).ConfigureAwait(false);
                lock (confirmed)
                {
                    confirmed.Add(family);
                }
            }

            bool passed = confirmed.Count == families.Count;
            Log.Finished(_logger, passed ? "passed" : "failed", options.Run.ProbePort, options.Run.ProbeTimeout.TotalSeconds);
            return passed;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (Socket listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    private static (uint Uid, uint Gid) ProxyIdentity(CaptureOptions options)
    {
        if (options.Rules.ProxyUids.Count == 0 || !uint.TryParse(options.Rules.ProxyUids[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
        {
            throw new CaptureException($"--run-validation needs a numeric proxy UID (-u), got '{string.Join(',', options.Rules.ProxyUids)}'");
        }

        uint gid = options.Rules.ProxyGids.Count > 0 && uint.TryParse(options.Rules.ProxyGids[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint parsed)
            ? parsed
            : uid;
        return (uid, gid);
    }

    /// <summary>
    /// True once <paramref name="address"/> can be bound in the namespace, polling for up to <paramref name="wait"/>. A
    /// just-added IPv6 address starts tentative and becomes usable only when the kernel's address work has run (on lo
    /// without a real duplicate check, but still asynchronously): on a busy machine that is after `ip` has exited.
    /// </summary>
    private async Task<bool> IsLocalSoonAsync(string? netns, IPAddress address, TimeSpan wait, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        while (true)
        {
            if (NetworkNamespace.Run(netns, () => IsLocal(address)))
            {
                return true;
            }

            if (_time.GetElapsedTime(started) >= wait)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsLocal(IPAddress address)
    {
        using Socket probe = new(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false; // EADDRNOTAVAIL: not an address of this namespace
        }
    }

    private static List<Socket> Listen(IEnumerable<IPAddress> addresses, CaptureOptions options)
    {
        var listeners = new List<Socket>();
        try
        {
            foreach (IPAddress address in addresses)
            {
                foreach (int port in new[] { options.Rules.ProxyPort, options.Rules.InboundCapturePort }.Distinct())
                {
                    Socket listener = new(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    listeners.Add(listener);
                    listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    listener.Bind(new IPEndPoint(address, port));
                    listener.Listen();
                }
            }

            return listeners;
        }
        catch (SocketException exception)
        {
            foreach (Socket listener in listeners)
            {
                listener.Dispose();
            }

            throw new CaptureException($"--run-validation: cannot listen on the proxy ports {options.Rules.ProxyPort} and {options.Rules.InboundCapturePort}: {exception.Message}");
        }
    }

    /// <summary>Accepts until a connection's original destination is the probe port; returns its family.</summary>
    private async Task<AddressFamily> AcceptRedirectedAsync(Socket listener, int probePort, CancellationToken cancellationToken)
    {
        while (true)
        {
            using Socket accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            Errno error = OriginalDestination.TryGet(accepted.SafeHandle, accepted.AddressFamily, out NativeSocketAddress destination);
            Log.Accepted(_logger, accepted.LocalEndPoint, destination, error);
            if (error == Errno.None && destination.Port == probePort)
            {
                return accepted.AddressFamily;
            }
        }
    }

    /// <summary>Runs on the namespace thread with the proxy's credentials: one attempt per family per second.</summary>
    private void Dial(List<IPAddress> targets, int probePort, TimeSpan timeout, HashSet<AddressFamily> confirmed, CancellationToken cancellationToken)
    {
        long deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (!cancellationToken.IsCancellationRequested && _time.GetTimestamp() < deadline)
        {
            long started = _time.GetTimestamp();
            foreach (IPAddress target in targets)
            {
                lock (confirmed)
                {
                    if (confirmed.Contains(target.AddressFamily))
                    {
                        continue;
                    }
                }

                using Socket socket = new(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    // From the loopback address, as the proxy's outbound sockets are: left to itself the kernel picks ::6
                    // as the source of a dial to ::6 (a local address), and "-o lo -s ::6 -j RETURN" (the passthrough
                    // exemption) would let the probe through uncaptured.
                    socket.Bind(new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
                    // Bounded by the interval: a SYN that is silently dropped must not hold up the next attempt.
                    using CancellationTokenSource attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    attempt.CancelAfter(s_interval);
                    socket.ConnectAsync(new IPEndPoint(target, probePort), attempt.Token).AsTask().GetAwaiter().GetResult();
                }
                catch (Exception exception) when (exception is SocketException or OperationCanceledException)
                {
                    Log.DialFailed(_logger, target, probePort, exception.Message);
                }
            }

            TimeSpan rest = s_interval - _time.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                cancellationToken.WaitHandle.WaitOne(rest);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, Level = LogLevel.Debug, EventName = "ValidationAccepted",
            Message = "Validation listener {Local} accepted a connection with original destination {OriginalDestination} (errno {Error})")]
        public static partial void Accepted(ILogger logger, EndPoint? local, NativeSocketAddress originalDestination, Errno error);

        [LoggerMessage(EventId = 421, Level = LogLevel.Debug, EventName = "ValidationDialFailed",
            Message = "Validation dial to {Address}:{Port} failed: {Error}")]
        public static partial void DialFailed(ILogger logger, IPAddress address, int port, string error);

        [LoggerMessage(EventId = 422, Level = LogLevel.Debug, EventName = "ValidationIpv6Skipped",
            Message = "IPv6 validation skipped: ::6 is not an address of this namespace, so a dial to it would not stay on lo")]
        public static partial void Ipv6Skipped(ILogger logger);

        [LoggerMessage(EventId = 423, Level = LogLevel.Information, EventName = "ValidationFinished",
            Message = "Validation {Outcome}: redirect of the probe port {ProbePort} to the proxy (timeout {TimeoutSeconds} s)")]
        public static partial void Finished(ILogger logger, string outcome, int probePort, double timeoutSeconds);
    }
}
