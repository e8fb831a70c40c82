using System.Net;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Configuration;

public class ProxyOptionsTests
{
    // Keyed by the expected message: ProxyOptions is internal, so the theory data carries only strings.
    private static readonly Dictionary<string, ProxyOptions> s_invalid = new()
    {
        ["--outbound-port 0 is out of range: use 1 to 65535."] = ProxyOptions.Default with { OutboundPort = 0 },
        ["--inbound-port 65536 is out of range: use 1 to 65535."] = ProxyOptions.Default with { InboundPort = 65536 },
        ["--readiness-port -1 is out of range: use 0 to 65535 (0 turns it off)."] = ProxyOptions.Default with { ReadinessPort = -1 },
        ["--metrics-port 70000 is out of range: use 0 to 65535 (0 turns it off)."] = ProxyOptions.Default with { MetricsPort = 70000 },
        ["--outbound-port and --inbound-port are both 15001: each listener needs its own port."] = ProxyOptions.Default with { InboundPort = 15001 },
        ["--metrics-port and --admin are both 15000: each listener needs its own port."] = ProxyOptions.Default with { MetricsPort = 15000 },
        ["--mode 7 is not REDIRECT or TPROXY."] = ProxyOptions.Default with { Mode = (InboundMode)7 },
        ["--tproxy-mark must not be 0: an unmarked packet would match it."] = ProxyOptions.Default with { TproxyMark = 0 },
        ["--workers 0 is out of range: use 1 to 256."] = ProxyOptions.Default with { Workers = 0 },
        ["--workers 257 is out of range: use 1 to 256."] = ProxyOptions.Default with { Workers = 257 },
        ["--connect-timeout 00:00:00 must be positive."] = ProxyOptions.Default with { ConnectTimeout = TimeSpan.Zero },
        ["--idle-timeout -00:00:01 must not be negative (0 turns it off)."] = ProxyOptions.Default with { IdleTimeout = TimeSpan.FromSeconds(-1) },
        ["--drain-duration -00:00:01 must not be negative."] = ProxyOptions.Default with { DrainDuration = TimeSpan.FromSeconds(-1) },
        ["--pipe-size 65535 must be a power of two from 4096 to 1048576 bytes."] = ProxyOptions.Default with { PipeSize = 65535 },
        ["--pipe-size 2048 must be a power of two from 4096 to 1048576 bytes."] = ProxyOptions.Default with { PipeSize = 2048 },
        ["--pipe-size 2097152 must be a power of two from 4096 to 1048576 bytes."] = ProxyOptions.Default with { PipeSize = 2 * 1024 * 1024 },
        ["--read-batch 4095 is out of range: use 0 (off) or 4096 to 4194304 bytes."] = ProxyOptions.Default with { ReadBatch = 4095 },
        ["--read-batch 8388608 is out of range: use 0 (off) or 4096 to 4194304 bytes."] = ProxyOptions.Default with { ReadBatch = 8 * 1024 * 1024 },
        ["--pipe-pool-size -1 is out of range: use 0 to 65536."] = ProxyOptions.Default with { PipePoolSize = -1 },
        ["--tproxy-mark 4294967295 is too large: use at most 2147483647."] = ProxyOptions.Default with { TproxyMark = uint.MaxValue },
        ["--log-level 9 is not a log level."] = ProxyOptions.Default with { LogLevel = (LogLevel)9 },
        ["--readiness-port and --admin are both 15021: each listener needs its own port."] = ProxyOptions.Default with { AdminEndpoint = new IPEndPoint(IPAddress.Loopback, 15021) },
    };

    public static TheoryData<string> InvalidCases => [.. s_invalid.Keys];

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Validate_OneProblem_ReportsItAlone(string expected)
    {
        ProxyOptions options = s_invalid[expected];

        IReadOnlyList<string> problems = options.Validate();

        problems.Should().Equal(expected);
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryOne()
    {
        ProxyOptions options = ProxyOptions.Default with
        {
            OutboundPort = 0,
            Workers = 0,
            PipeSize = 3,
            DrainDuration = TimeSpan.FromSeconds(-2),
            TproxyMark = 0,
        };

        IReadOnlyList<string> problems = options.Validate();

        problems.Should().HaveCount(5);
    }

    [Fact]
    public void Validate_PortsTurnedOff_AreNotDuplicates()
    {
        ProxyOptions options = ProxyOptions.Default with { ReadinessPort = 0, MetricsPort = 0, AdminEndpoint = new IPEndPoint(IPAddress.Loopback, 0) };

        options.Validate().Should().BeEmpty();
    }
}
