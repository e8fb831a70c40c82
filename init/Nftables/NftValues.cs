using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Nftables;

/// <summary>
/// Builds <see cref="NftValue"/>s: the text Istio writes and the key nft lists it as (see <see cref="NftValue"/>).
/// The same factories serve the plan and the JSON reader, so both sides reduce to one key.
/// </summary>
internal static class NftValues
{
    public static NftValue Tcp { get; } = new("tcp", "tcp");

    public static NftValue Loopback { get; } = new("lo", "lo");

    public static NftValue Port(int port)
    {
        string text = port.ToString(CultureInfo.InvariantCulture);
        return new NftValue(text, text);
    }

    /// <summary><c>{ 53, 15008 }</c>, keyed in ascending order as nft lists a set.</summary>
    public static NftValue PortSet(IReadOnlyList<int> ports)
    {
        var sorted = new List<int>(ports);
        sorted.Sort();
        return new NftValue("{ " + string.Join(", ", ports) + " }", string.Join(',', sorted));
    }

    /// <summary>An interface name, written bare as Istio writes it (nft lists it quoted).</summary>
    public static NftValue Name(string name) => new(name, name);

    /// <summary>A user or group, as given (a number, or a name nft resolves when it loads the rule).</summary>
    public static NftValue Owner(string id) => new(id, id);

    /// <summary>A mark as the user wrote it (<c>1337</c> or <c>0x539</c>), keyed by its decimal value as nft's JSON gives it.</summary>
    public static NftValue Mark(string text, uint value) => new(text, value.ToString(CultureInfo.InvariantCulture));

    public static NftValue Mark(uint value) => Mark(value.ToString(CultureInfo.InvariantCulture), value);

    /// <summary>conntrack states as Istio writes them (<c>related,established</c>); the key is sorted.</summary>
    public static NftValue CtStates(string text)
    {
        string[] states = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Array.Sort(states, StringComparer.Ordinal);
        return new NftValue(text, string.Join(',', states));
    }

    /// <summary>
    /// A network written as <paramref name="text"/> (e.g. <c>127.0.0.1/8</c>, <c>::127.0.0.53/128</c>). The key is the
    /// network with host bits cleared, without a prefix when it is a single address, as nft lists it.
    /// </summary>
    public static NftValue Network(string text, IPNetwork network) => new(text, NetworkKey(network));

    /// <summary>A network written as nft writes addresses (<see cref="FormatAddress"/>) and the prefix.</summary>
    public static NftValue Network(IPNetwork network) =>
        Network(FormatAddress(network.BaseAddress) + "/" + network.PrefixLength.ToString(CultureInfo.InvariantCulture), network);

    /// <summary>A single address as <c>ADDRESS/32</c> or <c>ADDRESS/128</c>.</summary>
    public static NftValue Host(IPAddress address) =>
        Network(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32));

    /// <summary>The equality key of a network: masked, canonical address text, <c>/N</c> only when not a single address.</summary>
    public static string NetworkKey(IPNetwork network)
    {
        IPNetwork masked = IpText.Network(network.BaseAddress, network.PrefixLength);
        int full = masked.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        string address = IpText.Format(masked.BaseAddress);
        return masked.PrefixLength == full
            ? address
            : address + "/" + masked.PrefixLength.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// An address as inet_ntop writes it, which is how nft prints it and how resolv.conf usually holds an
    /// IPv4-compatible IPv6 server (<c>::127.0.0.53</c>, which RFC 5952 text would write <c>::7f00:35</c>).
    /// </summary>
    public static string FormatAddress(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            // inet_ntop prints ::a.b.c.d for ::/96 addresses other than :: and ::1 (which stay hex).
            if (bytes[..12].IndexOfAnyExcept((byte)0) < 0 && (bytes[12] | bytes[13]) != 0)
            {
                return "::" + IpText.Format(new IPAddress(bytes[12..]));
            }
        }

        return IpText.Format(address);
    }
}
