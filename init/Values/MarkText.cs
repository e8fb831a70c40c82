using System.Globalization;

namespace Capture.Init.Values;

/// <summary>Reads and writes packet marks: users write decimal (<c>1337</c>), iptables-save writes hex (<c>0x539</c>).</summary>
internal static class MarkText
{
    /// <summary>The mask iptables uses when none is given.</summary>
    public const uint FullMask = 0xffffffff;

    /// <summary>Parses a decimal or <c>0x</c> hex 32-bit mark.</summary>
    public static bool TryParse(string text, out uint value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Parses <c>VALUE</c> or <c>VALUE/MASK</c>; the mask defaults to <see cref="FullMask"/>.</summary>
    public static bool TryParseWithMask(string text, out uint value, out uint mask)
    {
        mask = FullMask;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return TryParse(text, out value);
        }

        return TryParse(text[..slash], out value) & TryParse(text[(slash + 1)..], out mask);
    }

    /// <summary>The mask as iptables writes it, <c>0xffffffff</c>.</summary>
    public static string Hex(uint value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
