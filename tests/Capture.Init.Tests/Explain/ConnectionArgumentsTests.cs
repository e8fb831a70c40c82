using System.Net;
using Capture.Init.Explain;

namespace Capture.Init.Tests.Explain;

public class ConnectionArgumentsTests
{
    [Theory]
    [InlineData("10.1.2.3:8080", true, "10.1.2.3", 8080)]
    [InlineData("[fd00::1]:443", true, "fd00::1", 443)]
    [InlineData("[::ffff:10.1.2.3]:80", true, "::ffff:10.1.2.3", 80)]
    [InlineData("10.1.2.3", false, "10.1.2.3", 0)]
    [InlineData("10.1.2.3:40000", false, "10.1.2.3", 40000)]
    [InlineData("fd00::1", false, "fd00::1", 0)]
    public void TryParseEndPoint_StrictForms_Parsed(string text, bool requirePort, string address, int port)
    {
        ConnectionArguments.TryParseEndPoint(text, requirePort, out IPEndPoint? endPoint).Should().BeTrue();

        endPoint.Should().Be(new IPEndPoint(IPAddress.Parse(address), port));
    }

    [Theory]
    [InlineData("010.1.2.3:8080", true)]  // octal inet_aton form: the framework reads 8.1.2.3
    [InlineData("10.1:8080", true)]       // inet_aton shorthand: the framework reads 10.0.0.1
    [InlineData("10.1.2.3", true)]        // no port where one is required
    [InlineData("fd00::1", true)]         // a bare IPv6 address has no port
    [InlineData("[fd00::1]", false)]      // brackets only around an address followed by a port
    [InlineData("[10.1.2.3]:80", true)]   // brackets are for IPv6
    [InlineData("[fe80::1%eth0]:80", true)]
    [InlineData("10.1.2.3:", true)]
    [InlineData("10.1.2.3:+80", true)]
    [InlineData("10.1.2.3:0", true)]
    [InlineData("10.1.2.3:65536", true)]
    [InlineData("010.0.0.1", false)]
    [InlineData(" 10.1.2.3:80", true)]
    public void TryParseEndPoint_WhatApplyRefuses_Refused(string text, bool requirePort)
    {
        ConnectionArguments.TryParseEndPoint(text, requirePort, out IPEndPoint? endPoint).Should().BeFalse();

        endPoint.Should().BeNull();
    }
}
