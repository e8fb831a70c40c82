using System.Net;
using Capture.Proxy.Contracts;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Configuration;

/// <summary>
/// Everything capture-proxy can be told, bound once at startup from flags and environment variables
/// (<c>Cli.ProxyCliOptions</c>), validated with <see cref="Validate"/>, then immutable. The one options type: the
/// data path (the engine, its loops and connections) reads the same record, and the defaults here are the ones the
/// help text shows. The properties after <see cref="AccessLog"/> have no flag; tests and benchmarks set them.
/// </summary>
internal sealed record ProxyOptions
{
    /// <summary>The defaults, as documented on each property.</summary>
    public static ProxyOptions Default { get; } = new();

    /// <summary>Port the outbound capture listener binds (istio-iptables <c>-p</c>).</summary>
    /// <remarks>Defaults to 15001, Istio's.</remarks>
    public int OutboundPort { get; init; } = 15001;

    /// <summary>Port the inbound capture listener binds (istio-iptables <c>-z</c>).</summary>
    /// <remarks>Defaults to 15006, Istio's.</remarks>
    public int InboundPort { get; init; } = 15006;

    /// <summary>How inbound connections arrive: REDIRECT or TPROXY; must match capture-init's <c>-m</c>.</summary>
    /// <remarks>Defaults to <see cref="InboundMode.Redirect"/>.</remarks>
    public InboundMode Mode { get; init; } = InboundMode.Redirect;

    /// <summary>fwmark set on transparent upstream sockets in TPROXY mode (istio-iptables <c>-t</c>).</summary>
    /// <remarks>Defaults to 1337, Istio's.</remarks>
    public uint TproxyMark { get; init; } = 1337;

    /// <summary>Number of event loops, each with its own epoll and <c>SO_REUSEPORT</c> listeners.</summary>
    /// <remarks>Defaults to <see cref="Environment.ProcessorCount"/>.</remarks>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>How long an upstream connect may take, retries included, before the client connection is closed.</summary>
    /// <remarks>Defaults to 10 s.</remarks>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection with no bytes moving in either direction for this long is closed; zero turns it off.</summary>
    /// <remarks>Defaults to 1 h, Envoy's TCP proxy default.</remarks>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>On SIGTERM or <c>/quitquitquit</c>, how long open connections may keep running before they are closed.</summary>
    /// <remarks>Defaults to 5 s.</remarks>
    public TimeSpan DrainDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Capacity, in bytes, a splice pipe grows to with F_SETPIPE_SZ once its direction moves bulk data (a pipeful at
    /// once, or 256 KiB in one burst); pipes start at the kernel's 64 KiB, or at this size if smaller. A power of two
    /// of at least one page. Grown pipes are limited to 16 MiB per process, a quarter of the per-UID pipe limit.
    /// </summary>
    /// <remarks>Defaults to 1 MiB, the largest an unprivileged process may ask for (<c>/proc/sys/fs/pipe-max-size</c>).</remarks>
    public int PipeSize { get; init; } = MaxPipeSize;

    /// <summary>
    /// The most bytes a fast bulk stream's reads wait for (SO_RCVLOWAT): the loop wakes per batch instead of per packet,
    /// for fewer, larger splices and less CPU per byte. A direction batches after moving four batches as one bulk
    /// run; its batch is what it delivers in 0.25 ms, at most this, and a stream slower than 64 KiB per 0.25 ms
    /// (about 256 MB/s) does not batch. Bytes of a stream that slows, pauses or ends without FIN wait at most 0.5 ms.
    /// Zero turns it off; otherwise 4 KiB to 4 MiB.
    /// </summary>
    /// <remarks>Defaults to 512 KiB.</remarks>
    public int ReadBatch { get; init; } = 512 * 1024;

    /// <summary>Most idle pipes kept for reuse per worker; zero creates and closes pipes per transfer.</summary>
    /// <remarks>Defaults to 32.</remarks>
    public int PipePoolSize { get; init; } = 32;

    /// <summary>Port of the readiness endpoint <c>GET /healthz/ready</c> (all addresses); zero turns it off.</summary>
    /// <remarks>Defaults to 15021, Istio's.</remarks>
    public int ReadinessPort { get; init; } = 15021;

    /// <summary>Port of the Prometheus endpoint <c>GET /stats/prometheus</c> (all addresses); zero turns it off.</summary>
    /// <remarks>Defaults to 15090, Istio's.</remarks>
    public int MetricsPort { get; init; } = 15090;

    /// <summary>Address and port of the admin endpoints (<c>/drain</c>, <c>/quitquitquit</c>, <c>/logging</c>); port zero turns them off.</summary>
    /// <remarks>Defaults to 127.0.0.1:15000, Istio's; keep it on loopback, it can stop the proxy.</remarks>
    public IPEndPoint AdminEndpoint { get; init; } = new(IPAddress.Loopback, 15000);

    /// <summary>Minimum level of diagnostic logs; can be changed at run time with <c>POST /logging?level=</c>.</summary>
    /// <remarks>Defaults to <see cref="LogLevel.Information"/>.</remarks>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Write logs as one JSON object per line instead of plain text.</summary>
    /// <remarks>Defaults to false.</remarks>
    public bool LogJson { get; init; }

    /// <summary>Write one access-log line per finished connection (category <c>Capture.Proxy.AccessLog</c>).</summary>
    /// <remarks>Defaults to true.</remarks>
    public bool AccessLog { get; init; } = true;

    /// <summary>
    /// ztunnel's local config YAML (<c>--workloads</c>, <c>LOCAL_XDS_PATH</c>): outbound destinations it names as HBONE
    /// workloads or service VIPs go through HBONE tunnels; re-read when its content changes.
    /// </summary>
    /// <remarks>Defaults to none: every connection passes through in plaintext.</remarks>
    public string? WorkloadsFile { get; init; }

    /// <summary>Directory of <c>cert-chain.pem</c>, <c>key.pem</c>, <c>root-cert.pem</c> (<c>--certs</c>, <c>OUTPUT_CERTS</c>).</summary>
    /// <remarks>Defaults to none; required when the workloads file names an HBONE workload.</remarks>
    public string? CertificatesDirectory { get; init; }

    /// <summary>Port of the inbound HBONE server (mTLS HTTP/2 CONNECT), served when <see cref="CertificatesDirectory"/> is set; zero turns it off.</summary>
    /// <remarks>Defaults to 15008, Istio's (capture-init leaves it uncaptured).</remarks>
    public int HbonePort { get; init; } = 15008;

    /// <summary>
    /// Port of the DNS proxy (UDP and TCP on 127.0.0.1, and ::1 with an IPv6 nameserver), where capture-init
    /// <c>--redirect-dns</c> sends the app's queries; zero turns it off.
    /// </summary>
    /// <remarks>Defaults to 15053, Istio's.</remarks>
    public int DnsPort { get; init; } = 15053;

    /// <summary>The resolv.conf whose nameservers the DNS proxy forwards to. Defaults to <c>/etc/resolv.conf</c>.</summary>
    public string ResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>Addresses the capture listeners bind: 0.0.0.0 and :: (IPv6 with IPV6_V6ONLY, skipped if the host has no IPv6).</summary>
    public IReadOnlyList<IPAddress> ListenAddresses { get; init; } = [IPAddress.Any, IPAddress.IPv6Any];

    /// <summary>Extra connect attempts after a transient failure (EADDRNOTAVAIL, EMFILE, ENOBUFS…). Defaults to 2.</summary>
    public int ConnectRetries { get; init; } = 2;

    /// <summary>First retry delay; doubles per attempt, with jitter. Defaults to 50 ms.</summary>
    public TimeSpan ConnectRetryDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Reads up to this size go through recv/send with a buffer instead of two splices; a burst larger than this
    /// switches the direction to splice. Defaults to 16 KiB. 0 splices everything.
    /// </summary>
    public int CopyThreshold { get; init; } = 16 * 1024;

    /// <summary>The longest a batching direction's bytes may wait for the rest of a batch (<see cref="ReadBatch"/>). Defaults to 0.5 ms.</summary>
    public TimeSpan ReadBatchMaxWait { get; init; } = TimeSpan.FromMicroseconds(500);

    /// <summary>listen(2) backlog. Defaults to 4096 (the kernel caps it at net.core.somaxconn).</summary>
    public int ListenBacklog { get; init; } = 4096;

    /// <summary>Source address for inbound REDIRECT upstreams over IPv4, exempted by <c>-o lo -s 127.0.0.6/32 -j RETURN</c>.</summary>
    public IPAddress InboundPassthroughSourceV4 { get; init; } = IPAddress.Parse("127.0.0.6");

    /// <summary>Source address for inbound REDIRECT upstreams over IPv6.</summary>
    public IPAddress InboundPassthroughSourceV6 { get; init; } = IPAddress.Parse("::6");

    /// <summary>The idle timeout as the loops use it: 0 when off.</summary>
    internal long IdleTimeoutMilliseconds => (long)IdleTimeout.TotalMilliseconds;

    /// <summary>Smallest pipe the kernel accepts: one page.</summary>
    internal const int MinPipeSize = 4096;

    /// <summary>Largest pipe an unprivileged process may ask for: <c>/proc/sys/fs/pipe-max-size</c> defaults to 1 MiB.</summary>
    internal const int MaxPipeSize = 1024 * 1024;

    /// <summary>Largest read batch: SO_RCVLOWAT beyond a few MiB only holds bytes back.</summary>
    internal const int MaxReadBatch = 4 * 1024 * 1024;

    /// <summary>Upper bound on idle pipes per worker (the engine's): 65536 would already be 4 GiB of 64 KiB pipes.</summary>
    internal const int MaxPipePoolSize = 65536;

    /// <summary>Upper bound on workers: beyond this the per-worker listeners and pools only cost memory.</summary>
    internal const int MaxWorkers = 256;

    /// <summary>
    /// Checks every option and returns one line per problem; empty when the options can be used. With
    /// <paramref name="ephemeralCapturePorts"/> (tests, benchmarks: the engine started in-process) a capture port of 0
    /// means "any free port"; a user must name the ports the rules redirect to.
    /// </summary>
    public IReadOnlyList<string> Validate(bool ephemeralCapturePorts = false)
    {
        List<string> problems = [];

        CheckPort(problems, "--outbound-port", OutboundPort, allowZero: ephemeralCapturePorts);
        CheckPort(problems, "--inbound-port", InboundPort, allowZero: ephemeralCapturePorts);
        CheckPort(problems, "--readiness-port", ReadinessPort, allowZero: true);
        CheckPort(problems, "--metrics-port", MetricsPort, allowZero: true);
        CheckPort(problems, "--admin", AdminEndpoint.Port, allowZero: true);
        CheckPort(problems, "--hbone-port", HbonePort, allowZero: true);
        CheckPort(problems, "--dns-port", DnsPort, allowZero: true);

        // Two listeners cannot share a port; the capture listeners use SO_REUSEPORT among their own workers only.
        (string Name, int Port)[] ports =
        [
            ("--outbound-port", OutboundPort), ("--inbound-port", InboundPort), ("--readiness-port", ReadinessPort),
            ("--metrics-port", MetricsPort), ("--admin", AdminEndpoint.Port), ("--hbone-port", HbonePort),
            ("--dns-port", DnsPort),
        ];
        for (int i = 0; i < ports.Length; i++)
        {
            for (int j = i + 1; j < ports.Length; j++)
            {
                if (ports[i].Port != 0 && ports[i].Port == ports[j].Port)
                {
                    problems.Add($"{ports[i].Name} and {ports[j].Name} are both {ports[i].Port}: each listener needs its own port.");
                }
            }
        }

        if (!Enum.IsDefined(Mode))
        {
            problems.Add($"--mode {Mode} is not REDIRECT or TPROXY.");
        }

        if (TproxyMark == 0)
        {
            problems.Add("--tproxy-mark must not be 0: an unmarked packet would match it.");
        }

        if (Workers < 1 || Workers > MaxWorkers)
        {
            problems.Add($"--workers {Workers} is out of range: use 1 to {MaxWorkers}.");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            problems.Add($"--connect-timeout {ConnectTimeout} must be positive.");
        }

        if (IdleTimeout < TimeSpan.Zero)
        {
            problems.Add($"--idle-timeout {IdleTimeout} must not be negative (0 turns it off).");
        }

        if (DrainDuration < TimeSpan.Zero)
        {
            problems.Add($"--drain-duration {DrainDuration} must not be negative.");
        }

        if (PipeSize < MinPipeSize || PipeSize > MaxPipeSize || !int.IsPow2(PipeSize))
        {
            problems.Add($"--pipe-size {PipeSize} must be a power of two from {MinPipeSize} to {MaxPipeSize} bytes.");
        }

        if (ReadBatch != 0 && ReadBatch is < MinPipeSize or > MaxReadBatch)
        {
            problems.Add($"--read-batch {ReadBatch} is out of range: use 0 (off) or {MinPipeSize} to {MaxReadBatch} bytes.");
        }

        if (PipePoolSize is < 0 or > MaxPipePoolSize)
        {
            problems.Add($"--pipe-pool-size {PipePoolSize} is out of range: use 0 to {MaxPipePoolSize}.");
        }

        if (TproxyMark > int.MaxValue)
        {
            problems.Add($"--tproxy-mark {TproxyMark} is too large: use at most {int.MaxValue}.");
        }

        if (LogLevel is < LogLevel.Trace or > LogLevel.None)
        {
            problems.Add($"--log-level {LogLevel} is not a log level.");
        }

        if (ListenAddresses.Count == 0)
        {
            problems.Add("at least one listen address is required.");
        }

        if (ConnectRetries is < 0 or > 10)
        {
            problems.Add($"connect retries {ConnectRetries} is out of range: use 0 to 10.");
        }

        if (CopyThreshold is < 0 or > 1024 * 1024)
        {
            problems.Add($"copy threshold {CopyThreshold} is out of range: use 0 to 1048576 bytes.");
        }

        if (ReadBatchMaxWait <= TimeSpan.Zero || ReadBatchMaxWait > TimeSpan.FromSeconds(1))
        {
            problems.Add($"read batch wait {ReadBatchMaxWait} must be positive and at most 1 s.");
        }

        return problems;
    }

    private static void CheckPort(List<string> problems, string flag, int port, bool allowZero)
    {
        int lowest = allowZero ? 0 : 1;
        if (port < lowest || port > IPEndPoint.MaxPort)
        {
            problems.Add($"{flag} {port} is out of range: use {lowest} to {IPEndPoint.MaxPort}{(allowZero ? " (0 turns it off)" : "")}.");
        }
    }
}
