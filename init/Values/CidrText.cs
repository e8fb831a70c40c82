using System.Net;
using System.Net.Sockets;

namespace Capture.Init.Values;

/// <summary>Parses CIDRs the way iptables reads them: host bits are masked off (<c>10.1.2.3/8</c> is <c>10.0.0.0/8</c>).</summary>
internal static class CidrText
{
    /// <summary>
    /// Parses <c>ADDRESS/PREFIX</c>. With <paramref name="allowBareAddress"/>, a plain address is a host route
    /// (<c>/32</c> or <c>/128</c>), as iptables treats <c>-d 10.0.0.1</c>. False for anything else.
    /// </summary>
    public static bool TryParse(string text, out IPNetwork network, bool allowBareAddress = false)
    {
        network = default;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        // Strict, as Go's netip is: no "10.1" or octal inet_aton forms, no zone (see IpText).
        if (!IpText.TryParseAddress(addressText, out IPAddress address))
        {
            return false;
        }

        int maxPrefix = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        int prefix = maxPrefix;
        if (slash >= 0)
        {
            ReadOnlySpan<char> prefixText = text.AsSpan(slash + 1);
            if (prefixText.Length is 0 or > 3)
            {
                return false;
            }

            prefix = 0;
            foreach (char c in prefixText)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }

                prefix = (prefix * 10) + (c - '0');
            }

            if (prefix > maxPrefix)
            {
                return false;
            }
        }
        else if (!allowBareAddress)
        {
            return false;
        }

        network = IpText.Network(address, prefix);
        return true;
    }
}
