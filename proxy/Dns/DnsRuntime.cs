using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Metrics;
using Capture.Proxy.Workloads;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Dns;

/// <summary>Builds the DNS proxy from the options: resolv.conf read before anything is bound, the names from the workloads file.</summary>
internal static partial class DnsRuntime
{
    /// <summary>Upstream time per nameserver, as pilot-agent's.</summary>
    public static readonly TimeSpan UpstreamTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Null when <c>--dns-port 0</c>; an unreadable resolv.conf is a <see cref="ProxyStartException"/>.</summary>
    public static DnsServer? Create(ProxyOptions options, WorkloadsFile? workloads, DnsMetrics metrics, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DnsPort == 0)
        {
            return null;
        }

        ResolvConf resolv;
        try
        {
            resolv = ResolvConf.Read(options.ResolvConf);
        }
        catch (IOException ex)
        {
            throw new ProxyStartException(ex.Message, ex);
        }

        ILogger logger = loggerFactory.CreateLogger("Capture.Proxy.Dns");
        if (resolv.Nameservers.Count == 0)
        {
            Log.NoNameservers(logger, options.ResolvConf);
        }

        string ownNamespace = resolv.Namespace.Length > 0 ? resolv.Namespace : Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "";
        Func<WorkloadIndex> current = workloads is null ? static () => WorkloadIndex.Empty : () => workloads.Current;
        DnsResponder responder = new(current, ownNamespace, new DnsForwarder(resolv.Nameservers, metrics, UpstreamTimeout), metrics, DnsServer.MaxOutstanding);
        return new DnsServer(options.DnsPort, resolv.HasIpv6Nameserver, responder, logger);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 953, Level = LogLevel.Warning, EventName = "DnsNoNameservers",
            Message = "{Path} names no nameserver: the DNS proxy answers the workloads file's names and SERVFAIL for the rest")]
        public static partial void NoNameservers(ILogger logger, string path);
    }
}
