using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Capture.Init.Rules;

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
        if (addressText.Length == 0 || addressText.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(addressText, out IPAddress? address))
        {
            return false;
        }

        // IPAddress.TryParse also accepts "10" and "10.1" (inet_aton forms); iptables users never mean those.
        if (address.AddressFamily == AddressFamily.InterNetwork && addressText.Split('.').Length != 4)
        {
            return false;
        }

        int maxPrefix = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        int prefix = maxPrefix;
        if (slash >= 0)
        {
            ReadOnlySpan<char> prefixText = text.AsSpan(slash + 1);
            if (prefixText.Length is 0 or > 3
                || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                || prefix > maxPrefix)
            {
                return false;
            }
        }
        else if (!allowBareAddress)
        {
            return false;
        }

        network = new IPNetwork(Mask(address, prefix), prefix);
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int bitsKept = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - bitsKept));
        }

        return new IPAddress(bytes);
    }
}
