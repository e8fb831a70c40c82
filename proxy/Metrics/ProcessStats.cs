using System.Globalization;

namespace Capture.Proxy.Metrics;

/// <summary>Process figures read from procfs on each scrape: resident memory and open descriptors.</summary>
internal static class ProcessStats
{
    /// <summary>Resident set size in bytes: the second field of <c>/proc/self/statm</c>, in pages (proc(5)).</summary>
    public static long ResidentBytes()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (IOException)
        {
            return -1; // not Linux, or procfs not mounted: the metric reads -1 rather than failing the scrape
        }
    }

    /// <summary>Open descriptors: the entries of <c>/proc/self/fd</c> (one of them is the directory being read).</summary>
    public static long OpenDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount() - 1;
        }
        catch (IOException)
        {
            return -1; // as above; EMFILE while reading also lands here, which is itself informative
        }
    }

    public static void WriteTo(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Family("process_resident_memory_bytes", MetricType.Gauge, "Resident memory size in bytes.");
        writer.Sample("process_resident_memory_bytes", ResidentBytes());
        writer.Family("process_open_fds", MetricType.Gauge, "Number of open file descriptors.");
        writer.Sample("process_open_fds", OpenDescriptors());
    }
}
