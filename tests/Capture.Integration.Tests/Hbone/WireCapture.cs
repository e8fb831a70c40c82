using System.Globalization;
using System.Text;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// tcpdump on a namespace's <c>eth0</c> (the veth between the pods), writing every TCP packet whole to a pcap file;
/// <see cref="StopAndReadAsync"/> ends it and returns the file's bytes, in which a test looks for its marker.
/// </summary>
internal sealed class WireCapture : IDisposable
{
    private readonly BackgroundProcess _tcpdump;
    private readonly string _file;

    private WireCapture(BackgroundProcess tcpdump, string file)
    {
        _tcpdump = tcpdump;
        _file = file;
    }

    /// <summary>Starts tcpdump in <paramref name="ns"/> and waits until it says it is listening.</summary>
    public static async Task<WireCapture> StartAsync(TestNamespace ns)
    {
        string file = Path.Combine(Path.GetTempPath(), $"cap-hbone-{Guid.NewGuid():N}.pcap");
        // --immediate-mode: without it libpcap hands packets over a ring block at a time, and the packets of the last
        // block are lost when tcpdump is stopped (a whole short test's worth: "8 packets received by filter, 0 captured").
        // -U: each packet is written as it comes; -Z root: no switch to the tcpdump user, which could not write here.
        BackgroundProcess tcpdump = ns.StartProcess("tcpdump", "-i", "eth0", "-n", "--immediate-mode", "-U", "-s", "0", "-Z", "root", "-w", file, "tcp");
        WireCapture capture = new(tcpdump, file);
        long started = TimeProvider.System.GetTimestamp();
        while (!tcpdump.Stderr.Contains("listening on", StringComparison.Ordinal))
        {
            if (tcpdump.HasExited || TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                string why = $"tcpdump did not start: {tcpdump.Stderr}";
                capture.Dispose();
                throw new InvalidOperationException(why);
            }

            await Task.Delay(20);
        }

        return capture;
    }

    /// <summary>Stops tcpdump (SIGINT: it flushes and closes the file) and returns what it captured.</summary>
    public async Task<byte[]> StopAndReadAsync()
    {
        ProcessRunner.Run("kill", ["-INT", _tcpdump.Id.ToString(CultureInfo.InvariantCulture)]);
        await _tcpdump.WaitForExitAsync(TimeSpan.FromSeconds(10));
        return await File.ReadAllBytesAsync(_file);
    }

    /// <summary>How many times <paramref name="marker"/> occurs in <paramref name="pcap"/>.</summary>
    public static int Count(byte[] pcap, string marker)
    {
        byte[] needle = Encoding.ASCII.GetBytes(marker);
        int count = 0;
        ReadOnlySpan<byte> rest = pcap;
        int at;
        while ((at = rest.IndexOf(needle)) >= 0)
        {
            count++;
            rest = rest[(at + needle.Length)..];
        }

        return count;
    }

    public void Dispose()
    {
        _tcpdump.Dispose();
        File.Delete(_file);
    }
}
