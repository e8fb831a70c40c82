using Capture.Init.Cli;
using Capture.Init.Logging;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Tests.Cli;

public class GoTextTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("0", 0)]
    [InlineData("2000us", 2)]
    public void TryParseDuration_GoSyntax_Parsed(string text, int milliseconds)
    {
        bool parsed = GoText.TryParseDuration(text, out TimeSpan duration);

        parsed.Should().BeTrue();
        duration.TotalMilliseconds.Should().BeApproximately(milliseconds, 0.001);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("s")]
    [InlineData("5 s")]
    [InlineData("-5s")]
    [InlineData("5d")]
    public void TryParseDuration_NotGo_False(string text)
    {
        bool parsed = GoText.TryParseDuration(text, out _);

        parsed.Should().BeFalse();
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("0", false)]
    [InlineData("F", false)]
    [InlineData("false", false)]
    public void TryParseBool_GoForms_Parsed(string text, bool expected)
    {
        bool parsed = GoText.TryParseBool(text, out bool value);

        parsed.Should().BeTrue();
        value.Should().Be(expected);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("tRuE")]
    public void TryParseBool_OtherWords_False(string text)
    {
        GoText.TryParseBool(text, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("info", LogLevel.Information)]
    [InlineData("default:debug", LogLevel.Debug)]
    [InlineData("ads:debug,default:warn", LogLevel.Warning)]
    [InlineData("default:none", LogLevel.None)]
    [InlineData("all:error", LogLevel.Error)]
    public void TryParseLevel_IstioSyntax_DefaultScopeApplies(string text, LogLevel expected)
    {
        bool parsed = LogSettings.TryParseLevel(text, out LogLevel level);

        parsed.Should().BeTrue();
        level.Should().Be(expected);
    }

    [Fact]
    public void FindUserId_PasswdLines_FindsTheUser()
    {
        string[] lines = ["root:x:0:0:root:/root:/bin/bash", "istio-proxy:x:1337:1337::/home/istio-proxy:/bin/sh"];

        PasswdFile.FindUserId(lines, "istio-proxy").Should().Be("1337");
        PasswdFile.FindUserId(lines, "nobody").Should().BeNull();
    }
}
