using System.Net;
using Capture.Proxy.Configuration;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Configuration;

public class ValueParsersTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1500)]
    [InlineData("7", 7000)]
    [InlineData("0", 0)]
    [InlineData(" 2s ", 2000)]
    public void TryParseDuration_Valid_ReturnsMilliseconds(string text, int expectedMs)
    {
        bool parsed = ValueParsers.TryParseDuration(text, out TimeSpan value, out string? error);

        parsed.Should().BeTrue();
        error.Should().BeNull();
        value.Should().Be(TimeSpan.FromMilliseconds(expectedMs));
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("10x")]
    [InlineData("10d")]
    [InlineData("-5s")]
    [InlineData("1e400")]
    [InlineData("5s3")]
    public void TryParseDuration_Invalid_ReturnsFalseWithReason(string text)
    {
        bool parsed = ValueParsers.TryParseDuration(text, out _, out string? error);

        parsed.Should().BeFalse();
        error.Should().StartWith("expected a duration");
    }

    [Theory]
    [InlineData("65536", 65536)]
    [InlineData("64Ki", 65536)]
    [InlineData("64K", 65536)]
    [InlineData("64KiB", 65536)]
    [InlineData("1Mi", 1048576)]
    [InlineData("1m", 1048576)]
    public void TryParseByteSize_Valid_ReturnsBytes(string text, int expected)
    {
        bool parsed = ValueParsers.TryParseByteSize(text, out int value, out _);

        parsed.Should().BeTrue();
        value.Should().Be(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Ki")]
    [InlineData("64Gi")]
    [InlineData("4096Mi")]
    [InlineData("-1")]
    public void TryParseByteSize_Invalid_ReturnsFalse(string text)
    {
        bool parsed = ValueParsers.TryParseByteSize(text, out _, out string? error);

        parsed.Should().BeFalse();
        error.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("Information", LogLevel.Information)]
    [InlineData("WARN", LogLevel.Warning)]
    [InlineData("off", LogLevel.None)]
    public void TryParseLogLevel_EnvoyAndDotnetNames_Parse(string text, LogLevel expected)
    {
        ValueParsers.TryParseLogLevel(text, out LogLevel level, out _).Should().BeTrue();

        level.Should().Be(expected);
    }

    [Theory]
    [InlineData("127.0.0.1:15000", "127.0.0.1:15000")]
    [InlineData("[::1]:15000", "[::1]:15000")]
    [InlineData("15000", "127.0.0.1:15000")]
    [InlineData("0.0.0.0:0", "0.0.0.0:0")]
    public void TryParseEndpoint_Valid_Parses(string text, string expected)
    {
        ValueParsers.TryParseEndpoint(text, out IPEndPoint value, out _).Should().BeTrue();

        value.ToString().Should().Be(expected);
    }

    [Theory]
    [InlineData("localhost:15000")]
    [InlineData("::1")]
    [InlineData("127.0.0.1")]
    [InlineData("")]
    public void TryParseEndpoint_Invalid_ReturnsFalse(string text)
    {
        ValueParsers.TryParseEndpoint(text, out _, out string? error).Should().BeFalse();

        error.Should().StartWith("expected address:port");
    }

    [Theory]
    [InlineData("1337", 1337u)]
    [InlineData("0x539", 1337u)]
    [InlineData("4294967295", uint.MaxValue)]
    public void TryParseUInt_DecimalAndHex_Parse(string text, uint expected)
    {
        ValueParsers.TryParseUInt(text, out uint value, out _).Should().BeTrue();

        value.Should().Be(expected);
    }
}
