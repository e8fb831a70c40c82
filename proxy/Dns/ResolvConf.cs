using System.Net;
using System.Net.Sockets;

namespace Capture.Proxy.Dns;

/// <summary>
/// What the DNS proxy takes from resolv.conf: the <c>nameserver</c>s to forward to (port 53, in file order) and the
/// pod's namespace from the first Kubernetes <c>search</c> domain (<c>&lt;ns&gt;.svc.&lt;domain&gt;</c>). Read once
/// at start, at most 64 KiB of it.
/// </summary>
internal sealed record ResolvConf(IReadOnlyList<IPEndPoint> Nameservers, string Namespace)
{
    public const int MaxBytes = 64 * 1024;

    public bool HasIpv6Nameserver
    {
        get
        {
            foreach (IPEndPoint server in Nameservers)
            {
                if (server.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Reads <paramref name="path"/>; a file that cannot be read throws <see cref="IOException"/> naming it.</summary>
    public static ResolvConf Read(string path)
    {
        byte[] buffer = new byte[MaxBytes];
        int read = 0;
        try
        {
            using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            int n;
            while (read < buffer.Length && (n = file.Read(buffer, read, buffer.Length - read)) > 0)
            {
                read += n;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot read resolv.conf: {ex.Message}", ex);
        }

        return Parse(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
    }

    public static ResolvConf Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<IPEndPoint> servers = [];
        string ns = "";
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            string[] words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && words[0] == "nameserver")
            {
                // A zone index (fe80::1%eth0) is allowed, as glibc does.
                if (IPAddress.TryParse(words[1], out IPAddress? address) && !servers.Exists(s => s.Address.Equals(address)))
                {
                    servers.Add(new IPEndPoint(address, 53));
                }
            }
            else if (words.Length >= 2 && words[0] == "search" && ns.Length == 0)
            {
                string[] labels = words[1].TrimEnd('.').Split('.');
                if (labels.Length >= 3 && labels[1] == "svc")
                {
                    ns = labels[0].ToLowerInvariant();
                }
            }
        }

        return new ResolvConf(servers, ns);
    }
}
