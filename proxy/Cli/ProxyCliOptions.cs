using System.CommandLine;
using System.Net;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Cli;

/// <summary>
/// The one catalog of capture-proxy's flags and the environment variables that stand in for them, and the one place
/// they are bound to <see cref="ProxyOptions"/>.
/// </summary>
/// <remarks>
/// Precedence: a flag on the command line wins over its environment variable (<c>CAPTURE_PROXY_</c> + the flag in
/// upper snake case), which wins over the default on <see cref="ProxyOptions"/>. Values are taken as text and parsed by
/// <see cref="ValueParsers"/> whichever source they came from, so both accept the same spellings and every bad value,
/// from either source, is reported in the same list as the validation problems.
/// </remarks>
internal static class ProxyCliOptions
{
    public const string EnvironmentPrefix = "CAPTURE_PROXY_";

    // Istio's own names, so a pod spec written for ztunnel or pilot-agent works unchanged.
    private static readonly Dictionary<string, string> s_istioEnvironmentNames = new(StringComparer.Ordinal)
    {
        ["--workloads"] = "LOCAL_XDS_PATH",
        ["--certs"] = "OUTPUT_CERTS",
    };

    // The defaults are written once, on ProxyOptions; the help text shows them from there.
    private static readonly ProxyOptions D = ProxyOptions.Default;

    public static readonly Option<string> OutboundPort = Text("--outbound-port", "port",
        $"Port the outbound capture listener binds (capture-init -p). Default: {D.OutboundPort}.");

    public static readonly Option<string> InboundPort = Text("--inbound-port", "port",
        $"Port the inbound capture listener binds (capture-init -z). Default: {D.InboundPort}.");

    public static readonly Option<string> Mode = Text("--mode", "REDIRECT|TPROXY",
        $"Inbound interception mode, as given to capture-init -m. TPROXY needs CAP_NET_ADMIN. Default: {ValueParsers.FormatMode(D.Mode)}.");

    public static readonly Option<string> TproxyMark = Text("--tproxy-mark", "mark",
        $"fwmark for transparent upstream sockets in TPROXY mode (capture-init -t). Default: {D.TproxyMark}.");

    public static readonly Option<string> Workers = Text("--workers", "count",
        "Event loops, each with its own epoll and SO_REUSEPORT listeners. Default: the processor count.");

    public static readonly Option<string> ConnectTimeout = Text("--connect-timeout", "duration",
        $"Time allowed to connect upstream, retries included. Default: {ValueParsers.FormatDuration(D.ConnectTimeout)}.");

    public static readonly Option<string> IdleTimeout = Text("--idle-timeout", "duration",
        $"Close a connection after this long with no bytes in either direction; 0 turns it off. Default: {ValueParsers.FormatDuration(D.IdleTimeout)}.");

    public static readonly Option<string> DrainDuration = Text("--drain-duration", "duration",
        $"On SIGTERM or /quitquitquit: how long inbound connections may finish and outbound stays captured before what is open is closed and the proxy exits. Default: {ValueParsers.FormatDuration(D.DrainDuration)}.");

    public static readonly Option<string> PipeSize = Text("--pipe-size", "bytes",
        $"Capacity a splice pipe grows to once its direction moves bulk data; pipes start at 64Ki (power of two, 4Ki to 1Mi). Default: {ValueParsers.FormatByteSize(D.PipeSize)}.");

    public static readonly Option<string> PipePoolSize = Text("--pipe-pool-size", "count",
        $"Idle splice pipes kept for reuse per worker; 0 keeps none. Default: {D.PipePoolSize}.");

    public static readonly Option<string> ReadBatch = Text("--read-batch", "bytes",
        $"Most bytes a fast bulk stream's reads wait for (SO_RCVLOWAT), so the proxy wakes per batch, not per packet: fewer, larger splices, less CPU per byte. Bytes of a stream that slows or pauses wait at most 0.5 ms. 0 turns it off. Default: {ValueParsers.FormatByteSize(D.ReadBatch)}.");

    public static readonly Option<string> ReadinessPort = Text("--readiness-port", "port",
        $"Port for GET /healthz/ready on all addresses; 0 turns it off. Default: {D.ReadinessPort}.");

    public static readonly Option<string> MetricsPort = Text("--metrics-port", "port",
        $"Port for GET /stats/prometheus on all addresses; 0 turns it off. Default: {D.MetricsPort}.");

    public static readonly Option<string> Admin = Text("--admin", "address:port",
        $"Admin endpoint (POST /drain, /quitquitquit, /logging?level=); any process in the pod that can reach it can stop the proxy; port 0 turns it off. Default: {D.AdminEndpoint}.");

    public static readonly Option<string> LogLevel = Text("--log-level", "level",
        $"trace, debug, info, warn, error, critical or off. Default: {ValueParsers.FormatLogLevel(D.LogLevel)}.");

    public static readonly Option<bool?> LogJson = Flag("--log-json",
        $"Write logs as one JSON object per line. Default: {(D.LogJson ? "true" : "false")}.");

    public static readonly Option<bool?> AccessLog = Flag("--access-log",
        $"Write one access-log line per connection (--access-log false turns it off). Default: {(D.AccessLog ? "true" : "false")}.");

    public static readonly Option<string> Workloads = Text("--workloads", "file",
        "ztunnel's local config YAML (workloads, services, policies): outbound connections to HBONE workloads and service VIPs go through HBONE tunnels; re-read when it changes. Default: none (everything passes through).");

    public static readonly Option<string> Certs = Text("--certs", "dir",
        "Directory with cert-chain.pem, key.pem and root-cert.pem (pilot-agent's OUTPUT_CERTS): the proxy's identity for HBONE; re-read when they change. Default: none.");

    public static readonly Option<string> HbonePort = Text("--hbone-port", "port",
        $"Port of the inbound HBONE server (mTLS HTTP/2 CONNECT; needs --certs); 0 turns it off. Default: {D.HbonePort}.");

    public static readonly Option<string> DnsPort = Text("--dns-port", "port",
        $"Port of the DNS proxy (UDP and TCP on 127.0.0.1, and ::1 when resolv.conf has an IPv6 nameserver; capture-init --redirect-dns sends queries here): the workloads file's service names are answered, the rest forwarded; 0 turns it off. Default: {D.DnsPort}.");

    public static readonly Option<string> ResolvConf = Text("--resolv-conf", "file",
        $"resolv.conf naming the nameservers the DNS proxy forwards to. Default: {D.ResolvConf}.");

    /// <summary>Every option, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<Option> All { get; } =
    [
        OutboundPort, InboundPort, Mode, TproxyMark, Workers, ConnectTimeout, IdleTimeout, DrainDuration, PipeSize,
        PipePoolSize, ReadBatch, ReadinessPort, MetricsPort, Admin, LogLevel, LogJson, AccessLog, Workloads, Certs, HbonePort,
        DnsPort, ResolvConf,
    ];


    /// <summary>The environment variable that stands in for a flag: <c>--idle-timeout</c> → <c>CAPTURE_PROXY_IDLE_TIMEOUT</c>.</summary>
    public static string EnvironmentVariable(Option option) => EnvironmentName(option.Name);

    private static string EnvironmentName(string flag) =>
        s_istioEnvironmentNames.TryGetValue(flag, out string? istio) ? istio : EnvironmentPrefix + flag.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>
    /// Binds flags over environment over defaults. Returns the options (defaults where a value was bad) and every
    /// problem found in the values; the caller adds <see cref="ProxyOptions.Validate"/>'s.
    /// </summary>
    public static (ProxyOptions Options, IReadOnlyList<string> Problems) Bind(ParseResult parseResult, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(environment);
        Binder binder = new(parseResult, environment);
        ProxyOptions defaults = ProxyOptions.Default;

        ProxyOptions options = new()
        {
            OutboundPort = binder.Get<int>(OutboundPort, ValueParsers.TryParseInt, defaults.OutboundPort),
            InboundPort = binder.Get<int>(InboundPort, ValueParsers.TryParseInt, defaults.InboundPort),
            Mode = binder.Get<InboundMode>(Mode, ValueParsers.TryParseMode, defaults.Mode),
            TproxyMark = binder.Get<uint>(TproxyMark, ValueParsers.TryParseUInt, defaults.TproxyMark),
            Workers = binder.Get<int>(Workers, ValueParsers.TryParseInt, defaults.Workers),
            ConnectTimeout = binder.Get<TimeSpan>(ConnectTimeout, ValueParsers.TryParseDuration, defaults.ConnectTimeout),
            IdleTimeout = binder.Get<TimeSpan>(IdleTimeout, ValueParsers.TryParseDuration, defaults.IdleTimeout),
            DrainDuration = binder.Get<TimeSpan>(DrainDuration, ValueParsers.TryParseDuration, defaults.DrainDuration),
            PipeSize = binder.Get<int>(PipeSize, ValueParsers.TryParseByteSize, defaults.PipeSize),
            PipePoolSize = binder.Get<int>(PipePoolSize, ValueParsers.TryParseInt, defaults.PipePoolSize),
            ReadBatch = binder.Get<int>(ReadBatch, ValueParsers.TryParseByteSize, defaults.ReadBatch),
            ReadinessPort = binder.Get<int>(ReadinessPort, ValueParsers.TryParseInt, defaults.ReadinessPort),
            MetricsPort = binder.Get<int>(MetricsPort, ValueParsers.TryParseInt, defaults.MetricsPort),
            AdminEndpoint = binder.Get<IPEndPoint>(Admin, ValueParsers.TryParseEndpoint, defaults.AdminEndpoint),
            LogLevel = binder.Get<LogLevel>(LogLevel, ValueParsers.TryParseLogLevel, defaults.LogLevel),
            LogJson = binder.GetFlag(LogJson, defaults.LogJson),
            AccessLog = binder.GetFlag(AccessLog, defaults.AccessLog),
            WorkloadsFile = binder.Get<string?>(Workloads, TryParsePath, defaults.WorkloadsFile),
            CertificatesDirectory = binder.Get<string?>(Certs, TryParsePath, defaults.CertificatesDirectory),
            HbonePort = binder.Get<int>(HbonePort, ValueParsers.TryParseInt, defaults.HbonePort),
            DnsPort = binder.Get<int>(DnsPort, ValueParsers.TryParseInt, defaults.DnsPort),
            ResolvConf = binder.Get<string?>(ResolvConf, TryParsePath, defaults.ResolvConf) ?? defaults.ResolvConf,
        };
        return (options, binder.Problems);
    }

    private static Option<string> Text(string name, string helpName, string description) =>
        new(name) { Description = $"{description} Env: {EnvironmentName(name)}.", HelpName = helpName };

    private static bool TryParsePath(string text, out string? value, out string? error)
    {
        value = text.Length > 0 ? text : null;
        error = text.Length > 0 ? null : "a path is needed";
        return value is not null;
    }

    // bool? so that "not on the command line" (null) can fall through to the environment variable; a bare flag
    // means true, and "--access-log false" turns a default-on switch off.
    private static Option<bool?> Flag(string name, string description) =>
        new(name)
        {
            Description = $"{description} Env: {EnvironmentPrefix}{name.TrimStart('-').Replace('-', '_').ToUpperInvariant()}.",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "true|false",
        };

    internal delegate bool TryParse<T>(string text, out T value, out string? error);

    private sealed class Binder(ParseResult parseResult, Func<string, string?> environment)
    {
        public List<string> Problems { get; } = [];

        public T Get<T>(Option<string> option, TryParse<T> parse, T fallback)
        {
            // argv > environment > default.
            (string? text, string source) = parseResult.GetValue(option) is { } fromArgs
                ? (fromArgs, option.Name)
                : (environment(EnvironmentVariable(option)), EnvironmentVariable(option));
            if (text is null)
            {
                return fallback;
            }

            if (parse(text, out T value, out string? error))
            {
                return value;
            }

            Problems.Add($"{source} '{text}' is not valid: {error}.");
            return fallback;
        }

        public bool GetFlag(Option<bool?> option, bool fallback)
        {
            // argv > environment > default; a bare "--log-json" parses as true.
            if (parseResult.GetResult(option) is not null)
            {
                return parseResult.GetValue(option) ?? true;
            }

            string variable = EnvironmentVariable(option);
            string? text = environment(variable);
            if (text is null)
            {
                return fallback;
            }

            if (ValueParsers.TryParseBool(text, out bool value, out string? error))
            {
                return value;
            }

            Problems.Add($"{variable} '{text}' is not valid: {error}.");
            return fallback;
        }
    }
}
