using System.Net;
using Capture.Init.Values;

namespace Capture.Init.Configuration;

/// <summary>DNS servers from resolv.conf, as istio-iptables reads them: the <c>nameserver</c> lines, in file order.</summary>
internal static class ResolvConf
{
    /// <summary>The servers of every parseable <c>nameserver ADDRESS</c> line; comments and anything else are ignored.</summary>
    public static IReadOnlyList<IPAddress> ParseNameservers(IEnumerable<string> lines)
    {
        var servers = new List<IPAddress>(3);
        foreach (string line in lines)
        {
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0] != "nameserver")
            {
                continue;
            }

            // A scoped address (fe80::1%eth0) cannot be written as an iptables CIDR; skip it like any other garbage.
            // Strict as Go's netip.ParseAddr, which Istio uses: no inet_aton shorthands such as "10.0.0" (see IpText).
            if (IpText.TryParseAddress(fields[1], out IPAddress address))
            {
                servers.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
            }
        }

        return servers;
    }

    /// <summary>The servers in the file at <paramref name="path"/>; none when it does not exist or cannot be read.</summary>
    public static IReadOnlyList<IPAddress> ReadNameservers(string path)
    {
        try
        {
            return ParseNameservers(File.ReadLines(path));
        }
        catch (IOException)
        {
            return []; // istio-iptables logs and carries on without servers; the caller warns when DNS capture is off
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
