using System.Net;
using Capture.NativeShims;

namespace Capture.Proxy.Listening;

/// <summary>
/// Recognises a connection whose original destination is one of the proxy's own listeners on this host: forwarding
/// it would come straight back to us, forever (a self-loop that eats descriptors and memory).
/// </summary>
internal sealed class LoopGuard : IDisposable
{
    private static readonly TimeSpan s_refreshInterval = TimeSpan.FromSeconds(10);

    private readonly int[] _ports;
    private readonly Timer? _refresh;
    private volatile NativeSocketAddress[] _localAddresses;

    public LoopGuard(IReadOnlyCollection<int> listenerPorts, bool refreshLocalAddresses = true)
    {
        _ports = [.. listenerPorts];
        _localAddresses = ReadLocalAddresses() ?? [];
        // Pod addresses can appear after start (CNI, IPv6 DAD); re-reading them off the event loops keeps the check cheap.
        _refresh = refreshLocalAddresses ? new Timer(static s => ((LoopGuard)s!).Refresh(), this, s_refreshInterval, s_refreshInterval) : null;
    }

    /// <summary>
    /// True when <paramref name="destination"/> is one of our listener ports on a loopback, unspecified or local
    /// address, or on the address the connection was accepted on.
    /// </summary>
    public bool IsLoop(in NativeSocketAddress destination, int acceptedFd)
    {
        if (Array.IndexOf(_ports, destination.Port) < 0)
        {
            return false;
        }

        if (destination.IsLoopback || destination.IsAny)
        {
            return true;
        }

        if (Sockets.GetLocalAddress(acceptedFd, out NativeSocketAddress local) == Errno.None && local.SameAddress(destination))
        {
            return true;
        }

        foreach (NativeSocketAddress address in _localAddresses)
        {
            if (address.SameAddress(destination))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _refresh?.Dispose();

    // A failed re-read keeps the addresses already known.
    private void Refresh() => _localAddresses = ReadLocalAddresses() ?? _localAddresses;

    private static NativeSocketAddress[]? ReadLocalAddresses()
    {
        // getifaddrs(3) rather than NetworkInterface, which reads files under /proc and /sys per interface and parses
        // addresses as text: this runs at start-up and every 10 s for the life of the pod.
        try
        {
            IReadOnlyList<IPAddress> local = InterfaceAddresses.Read();
            NativeSocketAddress[] addresses = new NativeSocketAddress[local.Count];
            for (int i = 0; i < addresses.Length; i++)
            {
                addresses[i] = NativeSocketAddress.From(local[i], 0);
            }

            return addresses;
        }
        catch (NativeCallException)
        {
            // Without the interface list the loopback/unspecified/accepted-address checks still catch the common loops.
            return null;
        }
    }
}
