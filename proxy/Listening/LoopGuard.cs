using System.Net.NetworkInformation;
using System.Net.Sockets;
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
        _localAddresses = ReadLocalAddresses();
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

    private void Refresh() => _localAddresses = ReadLocalAddresses();

    private static NativeSocketAddress[] ReadLocalAddresses()
    {
        List<NativeSocketAddress> addresses = [];
        try
        {
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                    {
                        addresses.Add(NativeSocketAddress.From(unicast.Address, 0));
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Without the interface list the loopback/unspecified/accepted-address checks still catch the common loops.
        }

        return [.. addresses];
    }
}
