using System.Net;
using System.Net.Sockets;

namespace Capture.Init.Values;

/// <summary>
/// Reads and writes IP addresses as text, strictly and without the framework's parser and formatter.
/// </summary>
/// <remarks>
/// Why not <see cref="IPAddress.Parse(string)"/> and <see cref="IPAddress.ToString"/>: they are generic over the
/// character type and vectorised, so ReadyToRun leaves them to the JIT, and on capture-init's path (a process that
/// lives for tens of milliseconds) they cost about 35 method compilations, a third of all it compiles. This is plain
/// code that ReadyToRun compiles ahead of time. It is also stricter, as Go's <c>netip</c> (which istio-iptables uses)
/// is: IPv4 is exactly four decimal parts without leading zeros (no <c>inet_aton</c> shorthands such as <c>10.1</c> or
/// octal <c>010.0.0.1</c>), and zones (<c>%eth0</c>) are refused. Output is what <see cref="IPAddress.ToString"/>
/// prints (RFC 5952: lower case, the longest run of zero groups shortened, an embedded IPv4 address where .NET writes one).
/// </remarks>
internal static class IpText
{
    /// <summary>Parses a dotted-quad IPv4 or an IPv6 address; false for anything else (including a zone or brackets).</summary>
    public static bool TryParseAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        Span<byte> bytes = stackalloc byte[16];
        if (text.Contains(':'))
        {
            if (!TryParseIpv6(text, bytes))
            {
                return false;
            }

            address = new IPAddress(bytes);
            return true;
        }

        if (!TryParseIpv4(text, bytes))
        {
            return false;
        }

        address = new IPAddress(bytes[..4]);
        return true;
    }

    /// <summary>The address as <see cref="IPAddress.ToString"/> writes it (without a scope id, which capture-init never has).</summary>
    public static string Format(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        Span<char> text = stackalloc char[48];
        int written = length == 4 ? WriteIpv4(bytes, text) : WriteIpv6(bytes, text);
        return new string(text[..written]);
    }

    /// <summary><c>ADDRESS/PREFIX</c>, as <see cref="IPNetwork.ToString"/> writes it.</summary>
    public static string Format(IPNetwork network) =>
        string.Concat(Format(network.BaseAddress), "/", FormatNumber(network.PrefixLength));

    /// <summary>A network of <paramref name="address"/> with host bits cleared, built without <see cref="IPNetwork.Parse(string)"/>.</summary>
    public static IPNetwork Network(IPAddress address, int prefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        bytes = bytes[..length];
        for (int i = 0; i < bytes.Length; i++)
        {
            int bitsKept = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - bitsKept));
        }

        return new IPNetwork(new IPAddress(bytes), prefixLength);
    }

    private static bool TryParseIpv4(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        int part = 0;
        int value = 0;
        int digits = 0;
        foreach (char c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || part == 3)
                {
                    return false;
                }

                bytes[part++] = (byte)value;
                value = digits = 0;
                continue;
            }

            // A leading zero is only allowed as the whole part ("0"), as in Go's netip: "010" would be octal to inet_aton.
            if (c is < '0' or > '9' || (digits == 1 && value == 0))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
            if (++digits > 3 || value > 255)
            {
                return false;
            }
        }

        if (digits == 0 || part != 3)
        {
            return false;
        }

        bytes[3] = (byte)value;
        return true;
    }

    /// <summary>RFC 4291 text: up to eight groups of 1–4 hex digits, one <c>::</c>, an optional dotted-quad tail.</summary>
    private static bool TryParseIpv6(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        Span<ushort> groups = stackalloc ushort[8];
        int count = 0;
        int gap = -1; // index in groups where "::" stands
        int i = 0;
        if (text.StartsWith("::"))
        {
            gap = 0;
            i = 2;
            if (text.Length == 2)
            {
                bytes.Clear();
                return true;
            }
        }

        while (i < text.Length)
        {
            int start = i;
            int value = 0;
            while (i < text.Length && i - start < 5 && HexValue(text[i]) is int digit and >= 0)
            {
                value = (value << 4) | digit;
                i++;
            }

            int digits = i - start;
            if (i < text.Length && text[i] == '.')
            {
                // The last 32 bits as dotted-quad: only where two groups are still free.
                if (count > 6 || !TryParseIpv4(text[start..], bytes[12..]))
                {
                    return false;
                }

                groups[count++] = (ushort)((bytes[12] << 8) | bytes[13]);
                groups[count++] = (ushort)((bytes[14] << 8) | bytes[15]);
                i = text.Length;
                break;
            }

            if (digits is 0 or > 4 || count == 8)
            {
                return false;
            }

            groups[count++] = (ushort)value;
            if (i == text.Length)
            {
                break;
            }

            if (text[i] != ':')
            {
                return false;
            }

            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (gap >= 0)
                {
                    return false; // a second "::"
                }

                gap = count;
                i++;
                if (i == text.Length)
                {
                    break;
                }
            }
            else if (i == text.Length)
            {
                return false; // a trailing single ':'
            }
        }

        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }

        Span<ushort> all = stackalloc ushort[8];
        all.Clear();
        int tail = gap < 0 ? 0 : count - gap;
        groups[..(count - tail)].CopyTo(all);
        groups.Slice(count - tail, tail).CopyTo(all[(8 - tail)..]);
        for (int g = 0; g < 8; g++)
        {
            bytes[g * 2] = (byte)(all[g] >> 8);
            bytes[(g * 2) + 1] = (byte)all[g];
        }

        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int WriteIpv4(ReadOnlySpan<byte> bytes, Span<char> text)
    {
        int at = 0;
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                text[at++] = '.';
            }

            at += WriteDecimal(bytes[i], text[at..]);
        }

        return at;
    }

    private static int WriteIpv6(ReadOnlySpan<byte> bytes, Span<char> text)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (int g = 0; g < 8; g++)
        {
            groups[g] = (ushort)((bytes[g * 2] << 8) | bytes[(g * 2) + 1]);
        }

        // .NET's rule (IPv6AddressHelper.ShouldHaveIpv4Embedded): ::a.b.c.d, ::ffff:a.b.c.d, ::ffff:0:a.b.c.d and ISATAP.
        bool embedded = (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[6] != 0
                && ((groups[4] == 0 && (groups[5] == 0 || groups[5] == 0xffff)) || (groups[4] == 0xffff && groups[5] == 0)))
            || (groups[4] == 0 && groups[5] == 0x5efe);
        int hexGroups = embedded ? 6 : 8;

        // The longest run of two or more zero groups (the first of equals) becomes "::" (RFC 5952 4.2).
        int bestStart = -1, bestLength = 0;
        for (int g = 0; g < hexGroups;)
        {
            if (groups[g] != 0)
            {
                g++;
                continue;
            }

            int start = g;
            while (g < hexGroups && groups[g] == 0)
            {
                g++;
            }

            if (g - start > bestLength && g - start >= 2)
            {
                bestStart = start;
                bestLength = g - start;
            }
        }

        int at = 0;
        for (int g = 0; g < hexGroups; g++)
        {
            if (g == bestStart)
            {
                text[at++] = ':';
                text[at++] = ':';
                g += bestLength - 1;
                continue;
            }

            if (g > 0 && g != bestStart + bestLength)
            {
                text[at++] = ':';
            }

            at += WriteHex(groups[g], text[at..]);
        }

        if (embedded)
        {
            if (bestStart + bestLength != 6)
            {
                text[at++] = ':';
            }

            at += WriteIpv4(bytes[12..], text[at..]);
        }

        return at;
    }

    private static int WriteDecimal(int value, Span<char> text)
    {
        int length = value >= 100 ? 3 : value >= 10 ? 2 : 1;
        for (int i = length - 1; i >= 0; i--)
        {
            text[i] = (char)('0' + (value % 10));
            value /= 10;
        }

        return length;
    }

    private static int WriteHex(int value, Span<char> text)
    {
        int length = value >= 0x1000 ? 4 : value >= 0x100 ? 3 : value >= 0x10 ? 2 : 1;
        for (int i = length - 1; i >= 0; i--)
        {
            int digit = value & 0xf;
            text[i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
            value >>= 4;
        }

        return length;
    }

    private static string FormatNumber(int value)
    {
        Span<char> text = stackalloc char[3];
        return new string(text[..WriteDecimal(value, text)]);
    }
}
