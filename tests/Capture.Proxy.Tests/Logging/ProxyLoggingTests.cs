using Capture.Proxy.Configuration;
using Capture.Proxy.Logging;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Logging;

public class ProxyLoggingTests
{
    [Fact]
    public void Create_LevelSwitchChanged_AppliesWithoutRebuilding()
    {
        LogLevelSwitch levels = new(LogLevel.Information);
        using ILoggerFactory factory = ProxyLogging.Create(ProxyOptions.Default, levels);
        ILogger logger = factory.CreateLogger("Capture.Proxy.Relaying.SplicePump");

        bool debugBefore = logger.IsEnabled(LogLevel.Debug);
        levels.Level = LogLevel.Debug;
        bool debugAfter = logger.IsEnabled(LogLevel.Debug);

        debugBefore.Should().BeFalse();
        debugAfter.Should().BeTrue();
    }

    [Fact]
    public void Create_AccessLogOn_IsWrittenEvenAtWarnLevel()
    {
        using ILoggerFactory factory = ProxyLogging.Create(ProxyOptions.Default with { LogLevel = LogLevel.Warning }, new LogLevelSwitch(LogLevel.Warning));

        factory.CreateLogger(ProxyLogging.AccessLogCategory).IsEnabled(LogLevel.Information).Should().BeTrue();
        factory.CreateLogger("Capture.Proxy.Hosting.ProxyHost").IsEnabled(LogLevel.Information).Should().BeFalse();
    }

    [Fact]
    public void Create_AccessLogOff_IsNeverWritten()
    {
        using ILoggerFactory factory = ProxyLogging.Create(ProxyOptions.Default with { AccessLog = false }, new LogLevelSwitch(LogLevel.Trace));

        factory.CreateLogger(ProxyLogging.AccessLogCategory).IsEnabled(LogLevel.Critical).Should().BeFalse();
    }

    [Fact]
    public void Create_KestrelInformation_IsFilteredOut()
    {
        using ILoggerFactory factory = ProxyLogging.Create(ProxyOptions.Default, new LogLevelSwitch(LogLevel.Debug));

        ILogger kestrel = factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel");

        kestrel.IsEnabled(LogLevel.Information).Should().BeFalse();
        kestrel.IsEnabled(LogLevel.Warning).Should().BeTrue();
    }
}
