using System.Net;
using Capture.NativeShims;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// This pod's own addresses, which are the only CONNECT authorities 15008 serves (anything else would make the proxy
/// an open relay into the pod's network). Read with getifaddrs at start and every 10 s, as pod addresses can appear
/// after start (CNI, IPv6 DAD).
/// </summary>
internal sealed class LocalAddresses : IDisposable
{
    private static readonly TimeSpan s_refreshInterval = TimeSpan.FromSeconds(10);

    private readonly Timer? _refresh;
    private readonly HashSet<IPAddress> _fixed = [];
    private volatile HashSet<IPAddress> _addresses;

    public LocalAddresses(bool refresh = true)
    {
        _addresses = Read() ?? [];
        _refresh = refresh ? new Timer(static s => ((LocalAddresses)s!).Refresh(), this, s_refreshInterval, s_refreshInterval) : null;
    }

    /// <summary>A fixed set, for tests: these count as local whatever they are (loopback included).</summary>
    internal LocalAddresses(IEnumerable<IPAddress> addresses)
    {
        _fixed = [.. addresses];
        _addresses = [];
    }

    /// <summary>
    /// Whether <paramref name="address"/> is one of ours (or the one the tunnel was dialled to). Loopback and the
    /// unspecified address never are: they would reach the proxy's own admin port or the app's localhost-only ports.
    /// </summary>
    public bool IsLocal(IPAddress address, IPAddress? connectionLocal)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (_fixed.Contains(address))
        {
            return true;
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (connectionLocal is not null)
        {
            IPAddress local = connectionLocal.IsIPv4MappedToIPv6 ? connectionLocal.MapToIPv4() : connectionLocal;
            if (local.Equals(address))
            {
                return true;
            }
        }

        return _addresses.Contains(address);
    }

    public void Dispose() => _refresh?.Dispose();

    private void Refresh() => _addresses = Read() ?? _addresses; // a failed re-read keeps what we knew

    private static HashSet<IPAddress>? Read()
    {
        try
        {
            return [.. InterfaceAddresses.Read()];
        }
        catch (NativeCallException)
        {
            return null; // the connection's own local address still lets the common case through
        }
    }
}
