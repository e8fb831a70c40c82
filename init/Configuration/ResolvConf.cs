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

    /// <summary>More than this is not a resolv.conf (glibc reads 3 servers; kubelet writes a few hundred bytes).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>How long reading may take: a FIFO without a writer, or a device, never ends.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The servers in the file at <paramref name="path"/>; none when it does not exist or cannot be read (istio-iptables
    /// carries on without servers). Reads at most <see cref="MaxBytes"/>, within <see cref="ReadTimeout"/>.
    /// </summary>
    /// <exception cref="CaptureException">The file is larger than <see cref="MaxBytes"/> or did not end in time.</exception>
    public static IReadOnlyList<IPAddress> ReadNameservers(string path)
    {
        byte[]? content = null;
        bool tooLarge = false;
        // Its own thread: opening a FIFO blocks until a writer comes, and no timeout can interrupt open(2) or read(2)
        // on it. A thread still blocked is a background thread, and the process exits after the error below.
        Thread reader = new(() =>
        {
            try
            {
                using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
                byte[] buffer = new byte[MaxBytes + 1];
                int length = 0;
                int read;
                while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
                {
                    length += read;
                }

                tooLarge = length > MaxBytes;
                content = buffer[..length];
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                content = []; // istio-iptables logs and carries on without servers; the caller warns when DNS capture is off
            }
        })
        {
            IsBackground = true,
            Name = "resolv.conf reader",
        };
        reader.Start();
        if (!reader.Join(ReadTimeout))
        {
            throw new CaptureException($"--resolv-conf: '{path}' did not reach its end within {ReadTimeout.TotalSeconds} s (a FIFO or a device?); give a regular file");
        }

        if (tooLarge)
        {
            throw new CaptureException($"--resolv-conf: '{path}' is larger than {MaxBytes / 1024} KiB, which no resolv.conf is; give the right file");
        }

        return ParseNameservers(System.Text.Encoding.UTF8.GetString(content!).Split('\n'));
    }
}
