using System.Net;
using Capture.Proxy.Logging;
using Capture.Proxy.Metrics;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Logging;

public class AccessLogTests
{
    [Fact]
    public void Write_CompletedConnection_FormatsOneLineWithEveryField()
    {
        RecordingLogger logger = new();
        AccessLog log = new(logger);
        ConnectionRecord record = new(TrafficDirection.Outbound, new IPEndPoint(IPAddress.Parse("10.1.2.1"), 40123),
            new IPEndPoint(IPAddress.Parse("fd00::2"), 8080), 1024, 65536, 60000, TimeSpan.FromMilliseconds(1234.7),
            ConnectionEnd.Completed, Failure: null);

        log.Write(record);

        RecordingLogger.Entry entry = logger.Entries.Should().ContainSingle().Subject;
        entry.Level.Should().Be(LogLevel.Information);
        entry.EventId.Id.Should().Be(600);
        entry.Message.Should().Be(
            "outbound 10.1.2.1:40123 -> [fd00::2]:8080 up=1024 down=65536 duration_ms=1234 end=completed cause=- spliced=60000");
        entry.State.Should().Contain(new KeyValuePair<string, object?>("Destination", "[fd00::2]:8080"))
            .And.Contain(new KeyValuePair<string, object?>("BytesDownstream", 65536L));
    }

    [Fact]
    public void Write_FailedConnection_NamesTheCause()
    {
        RecordingLogger logger = new();
        AccessLog log = new(logger);

        log.Write(new ConnectionRecord(TrafficDirection.Inbound, new IPEndPoint(IPAddress.Parse("10.1.2.2"), 5555), null, 0, 0, 0,
            TimeSpan.FromMilliseconds(3), ConnectionEnd.Failed, FailureCause.Unreachable));

        logger.Entries.Should().ContainSingle().Which.Message.Should()
            .Be("inbound 10.1.2.2:5555 -> - up=0 down=0 duration_ms=3 end=failed cause=unreachable spliced=0");
    }

    [Fact]
    public void Write_Disabled_LogsNothing()
    {
        RecordingLogger logger = new() { MinimumLevel = LogLevel.Warning };
        AccessLog log = new(logger);

        log.Write(new ConnectionRecord(TrafficDirection.Inbound, null, null, 1, 1, 0, TimeSpan.Zero, ConnectionEnd.Completed, null));

        log.IsEnabled.Should().BeFalse();
        logger.Entries.Should().BeEmpty();
    }
}
