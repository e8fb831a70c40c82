namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// Decides at run time whether a privileged integration test can run here, and if not, why: the reason becomes the
/// test's skip message. CI runs as root with the tools installed, so there nothing skips.
/// </summary>
public static class TestRequirements
{
    /// <summary>Tools every namespace test needs: <c>ip</c> for namespaces and links, iptables for rules.</summary>
    public static readonly IReadOnlyList<string> BaseTools = ["ip", "iptables-restore", "iptables-save"];

    /// <summary>Returns null when the test can run, else a one-line reason (not root, not Linux, a tool missing).</summary>
    public static string? SkipReason(IEnumerable<string>? extraTools = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux network namespaces; this is " + System.Runtime.InteropServices.RuntimeInformation.OSDescription;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "needs root (network namespaces, iptables); running as " + Environment.UserName + ", run the tests as root as CI does";
        }

        List<string> missing = BaseTools.Concat(extraTools ?? []).Where(tool => FindOnPath(tool) is null).ToList();
        return missing.Count == 0
            ? null
            : "needs " + string.Join(", ", missing) + " on PATH (scripts/install-deps.sh installs them)";
    }

    /// <summary>Full path of <paramref name="tool"/> found on PATH, or null.</summary>
    public static string? FindOnPath(string tool)
    {
        if (tool.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(tool) ? tool : null;
        }

        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => System.IO.Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
    }
}
