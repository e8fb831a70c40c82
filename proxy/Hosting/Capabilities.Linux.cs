using System.Globalization;

namespace Capture.Proxy.Hosting;

/// <summary>Reads the process' effective capabilities, so a missing one is reported before anything is bound.</summary>
internal static class Capabilities
{
    /// <summary>CAP_NET_ADMIN from linux/capability.h: needed for IP_TRANSPARENT and SO_MARK (TPROXY mode).</summary>
    public const int CAP_NET_ADMIN = 12;

    /// <summary>True when the effective set has <paramref name="capability"/>; false when it cannot be read.</summary>
    public static bool HasEffective(int capability)
    {
        try
        {
            return ParseEffective(File.ReadAllLines("/proc/self/status"), capability);
        }
        catch (IOException)
        {
            return false; // no procfs: say "missing" and let the operator see the clear message rather than EPERM later
        }
    }

    /// <summary>Parses the <c>CapEff:</c> line of <c>/proc/self/status</c> (a 64-bit hex mask, proc(5)).</summary>
    internal static bool ParseEffective(IEnumerable<string> statusLines, int capability)
    {
        foreach (string line in statusLines)
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal)
                && ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong mask))
            {
                return (mask & (1UL << capability)) != 0;
            }
        }

        return false;
    }
}
