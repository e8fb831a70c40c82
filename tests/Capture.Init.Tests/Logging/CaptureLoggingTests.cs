using Capture.Init.Logging;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Tests.Logging;

public class CaptureLoggingTests
{
    [Fact]
    public void Create_TextFormat_IstioLine()
    {
        using var error = new StringWriter();
        using ILoggerFactory factory = CaptureLogging.Create(error, new LogSettings(LogLevel.Information, Json: false));

        factory.CreateLogger("capture-init").LogInformation("Rules applied");

        error.ToString().Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\tinfo\tRules applied\n$");
    }

    [Fact]
    public void Create_Json_OneObjectPerLine()
    {
        using var error = new StringWriter();
        using ILoggerFactory factory = CaptureLogging.Create(error, new LogSettings(LogLevel.Debug, Json: true));

        factory.CreateLogger("capture-init").LogDebug("quote \" here");

        error.ToString().Should().StartWith("{\"level\":\"debug\",\"time\":\"").And.EndWith("\"scope\":\"default\",\"msg\":\"quote \\u0022 here\"}\n");
    }

    [Fact]
    public void Create_LevelWarn_FiltersInfo()
    {
        using var error = new StringWriter();
        using ILoggerFactory factory = CaptureLogging.Create(error, new LogSettings(LogLevel.Warning, Json: false));
        ILogger logger = factory.CreateLogger("capture-init");

        logger.LogInformation("hidden");
        logger.LogError("shown");

        logger.IsEnabled(LogLevel.Information).Should().BeFalse();
        error.ToString().Should().Contain("\terror\tshown").And.NotContain("hidden");
    }
}
