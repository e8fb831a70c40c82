using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Capture.Proxy.Tests.Metrics;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Logging;

public class AccessLogTests
{
    [Fact]
    public void Write_CompletedConnection_FormatsOneLineWithEveryField()
    {
        RecordingLogger logger = new();
        AccessLog log = new(logger);

        log.Write(EngineEvents.Closed(TrafficDirection.Outbound, ConnectionEndReason.Completed, up: 1024, down: 65536,
            spliced: 60000, copied: 6560, durationMs: 1234.7, destination: "[fd00::2]:8080"));

        RecordingLogger.Entry entry = logger.Entries.Should().ContainSingle().Subject;
        entry.Level.Should().Be(LogLevel.Information);
        entry.EventId.Id.Should().Be(600);
        entry.Message.Should().Be(
            "outbound 10.1.2.1:40123 -> [fd00::2]:8080 up=1024 down=65536 duration_ms=1234 end=completed error=- spliced=60000 copied=6560 via=passthrough peer=- tunnel=- policy=-");
        entry.State.Should().Contain(new KeyValuePair<string, object?>("Destination", "[fd00::2]:8080"))
            .And.Contain(new KeyValuePair<string, object?>("BytesDownstream", 65536L));
    }

    [Fact]
    public void Write_FailedConnection_NamesHowItEndedAndTheErrno()
    {
        RecordingLogger logger = new();
        AccessLog log = new(logger);

        log.Write(EngineEvents.Closed(TrafficDirection.Inbound, ConnectionEndReason.ConnectFailed, error: Errno.EHOSTUNREACH, durationMs: 3));

        logger.Entries.Should().ContainSingle().Which.Message.Should()
            .Be("inbound 10.1.2.1:40123 -> 10.1.2.2:8080 up=0 down=0 duration_ms=3 end=connect_failed error=EHOSTUNREACH spliced=0 copied=0 via=passthrough peer=- tunnel=- policy=-");
    }

    [Fact]
    public void Write_Disabled_LogsNothing()
    {
        RecordingLogger logger = new() { MinimumLevel = LogLevel.Warning };
        AccessLog log = new(logger);

        log.Write(EngineEvents.Closed(TrafficDirection.Inbound, ConnectionEndReason.Completed, up: 1, down: 1));

        log.IsEnabled.Should().BeFalse();
        logger.Entries.Should().BeEmpty();
    }
}
