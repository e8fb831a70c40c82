namespace Capture.Proxy.Tests.Tunneling.Http2;

/// <summary>A test against Node's http2 module (and OpenSSL for its certificates): skips, with the reason, when either is missing.</summary>
public sealed class RequiresNodeFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_skipReason = new(ComputeSkipReason);

    public override string? Skip
    {
        get => base.Skip ?? s_skipReason.Value;
        set => base.Skip = value;
    }

    /// <summary>Full path of <paramref name="tool"/> on PATH, or null.</summary>
    public static string? FindOnPath(string tool)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (string directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? ComputeSkipReason()
    {
        List<string> missing = [];
        foreach (string tool in new[] { "node", "openssl" })
        {
            if (FindOnPath(tool) is null)
            {
                missing.Add(tool);
            }
        }

        return missing.Count == 0 ? null : $"needs {string.Join(" and ", missing)} on PATH (Node's http2 is the independent HTTP/2 peer)";
    }
}
