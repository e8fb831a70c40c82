using Capture.Init.Tests.Fakes;

namespace Capture.Init.Tests.Cli;

/// <summary>Every user mistake: one line naming the flag and the value, exit 1, no stack trace, nothing applied.</summary>
[Collection(CliTestGroup.Name)]
public class ValidationTests
{
    private readonly CliHarness _cli = new();

    [Theory]
    [InlineData(new[] { "-p", "abc" }, "capture-init: -p/--envoy-port: 'abc' is not a port number (1-65535)")]
    [InlineData(new[] { "-p", "0" }, "capture-init: -p/--envoy-port: '0' is outside the port range 1-65535")]
    [InlineData(new[] { "-z", "65536" }, "capture-init: -z/--inbound-capture-port: '65536' is outside the port range 1-65535")]
    [InlineData(new[] { "-e", "-1" }, "capture-init: -e/--inbound-tunnel-port: '-1' is not a port number (1-65535)")]
    [InlineData(new[] { "-b", "9080,http" }, "capture-init: -b/--istio-inbound-ports: 'http' is not a port number (1-65535)")]
    [InlineData(new[] { "-b", "*,80" }, "capture-init: -b/--istio-inbound-ports: '*' is not a port number (1-65535)")]
    [InlineData(new[] { "-d", "99999" }, "capture-init: -d/--istio-local-exclude-ports: '99999' is outside the port range 1-65535")]
    [InlineData(new[] { "-q", "x" }, "capture-init: -q/--istio-outbound-ports: 'x' is not a port number (1-65535)")]
    [InlineData(new[] { "-o", "0" }, "capture-init: -o/--istio-local-outbound-ports-exclude: '0' is outside the port range 1-65535")]
    [InlineData(new[] { "--iptables-probe-port", "70000" }, "capture-init: --iptables-probe-port: '70000' is outside the port range 1-65535")]
    [InlineData(new[] { "-i", "10.0.0.0/33" }, "capture-init: -i/--istio-service-cidr: '10.0.0.0/33' is not a CIDR (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8 or fd00::/8)")]
    [InlineData(new[] { "-i", "10.0.0.1" }, "capture-init: -i/--istio-service-cidr: '10.0.0.1' is not a CIDR (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8 or fd00::/8)")]
    [InlineData(new[] { "-i", "*,10.0.0.0/8" }, "capture-init: -i/--istio-service-cidr: '*,10.0.0.0/8': '*' must be the only item")]
    [InlineData(new[] { "-x", "fd00::/129" }, "capture-init: -x/--istio-service-exclude-cidr: 'fd00::/129' is not a CIDR (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8 or fd00::/8)")]
    [InlineData(new[] { "-x", "*" }, "capture-init: -x/--istio-service-exclude-cidr: '*': '*' is not allowed here (excluding every destination would disable outbound capture; leave -x empty and use -i instead)")]
    [InlineData(new[] { "-m", "tproxy" }, "capture-init: -m/--istio-inbound-interception-mode: 'tproxy' is not an interception mode (expected REDIRECT or TPROXY)")]
    [InlineData(new[] { "-m", "NONE" }, "capture-init: -m/--istio-inbound-interception-mode: 'NONE' is not an interception mode (expected REDIRECT or TPROXY)")]
    [InlineData(new[] { "--ipv6", "yes" }, "capture-init: --ipv6: 'yes' is not an IPv6 mode (expected auto, true or false)")]
    [InlineData(new[] { "--dry-run=maybe" }, "capture-init: -n/--dry-run: 'maybe' is not a boolean (expected true or false)")]
    [InlineData(new[] { "--probe-timeout", "5" }, "capture-init: --probe-timeout: '5' is not a duration (e.g. 5s, 500ms, 1m)")]
    [InlineData(new[] { "--probe-timeout", "0" }, "capture-init: --probe-timeout: '00:00:00' must be longer than zero")]
    [InlineData(new[] { "-t", "mark" }, "capture-init: -t/--istio-inbound-tproxy-mark: 'mark' is not a 32-bit mark (decimal or 0x hex)")]
    [InlineData(new[] { "-r", "1 2" }, "capture-init: -r/--istio-inbound-tproxy-route-table: '1 2' is not a routing table number or name")]
    [InlineData(new[] { "-u", "1337,a b" }, "capture-init: -u/--proxy-uid: 'a b' is not a user or group id")]
    [InlineData(new[] { "-c", "averyveryverylongname" }, "capture-init: -c/--istio-exclude-interfaces: 'averyveryverylongname' is not an interface name (at most 15 characters, no '/' or spaces)")]
    [InlineData(new[] { "--force-iptables-binary", "iptables" }, "capture-init: --force-iptables-binary: 'iptables' is not a backend (expected legacy or nft)")]
    [InlineData(new[] { "--log_output_level", "verbose" }, "capture-init: --log_output_level: 'verbose' is not a log level (expected debug, info, warn, error, fatal or none, optionally as default:LEVEL)")]
    public void Run_BadValue_OneClearLineAndExit1(string[] args, string expected)
    {
        CliRun run = _cli.Run(args);

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(expected);
        run.Out.Should().BeEmpty();
        _cli.Applier.Calls.Should().Be(0);
    }

    [Theory]
    [InlineData("ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR", "10.0.0.1/32", "capture-init: $ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: '10.0.0.1/32' is not an IPv4 loopback CIDR with a mask of 8 to 32 (e.g. 127.0.0.1/32)")]
    [InlineData("ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR", "127.0.0.0/7", "capture-init: $ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: '126.0.0.0/7' is not an IPv4 loopback CIDR with a mask of 8 to 32 (e.g. 127.0.0.1/32)")]
    [InlineData("ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR", "::1/128", "capture-init: $ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: '::1/128' is not an IPv4 loopback CIDR with a mask of 8 to 32 (e.g. 127.0.0.1/32)")]
    [InlineData("ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR", "localhost", "capture-init: $ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: 'localhost' is not a CIDR (expected an IPv4 loopback CIDR such as 127.0.0.1/32)")]
    [InlineData("INBOUND_CAPTURE_PORT", "x", "capture-init: -z/--inbound-capture-port (from $INBOUND_CAPTURE_PORT): 'x' is not a port number (1-65535)")]
    [InlineData("ISTIO_META_DNS_CAPTURE", "yes", "capture-init: --redirect-dns (from $ISTIO_META_DNS_CAPTURE): 'yes' is not a boolean (expected true or false)")]
    [InlineData("ISTIO_OUTBOUND_OWNER_GROUPS", "a b", "capture-init: $ISTIO_OUTBOUND_OWNER_GROUPS: 'a b' is not a group name or id")]
    public void Run_BadEnvironmentValue_NamesTheVariable(string name, string value, string expected)
    {
        _cli.Environment.Set(name, value);

        CliRun run = _cli.Run();

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(expected);
    }

    [Theory]
    [InlineData("-r", "main")]
    [InlineData("-r", "default")]
    [InlineData("-r", "local")]
    [InlineData("-r", "unspec")]
    [InlineData("-r", "254")]
    [InlineData("-r", "253")]
    [InlineData("-r", "255")]
    [InlineData("-r", "0")]
    [InlineData("-r", "00254")]
    [InlineData("-r", "4294967296")]
    [InlineData("-t", "0")]
    [InlineData("-t", "0x0")]
    public void Run_TproxyRoutingValueThatBreaksThePod_OneLineNamingTheFlag(string flag, string value)
    {
        CliRun run = _cli.Run("-m", "TPROXY", "-b", "*", flag, value);

        run.ExitCode.Should().Be(1);
        string name = flag == "-r" ? "-r/--istio-inbound-tproxy-route-table" : "-t/--istio-inbound-tproxy-mark";
        run.ErrorLines.Should().ContainSingle().Which.Should().StartWith($"capture-init: {name}: '{value}' ");
        _cli.Applier.Calls.Should().Be(0);
    }

    [Theory]
    [InlineData("-r", "1")]
    [InlineData("-r", "133")]
    [InlineData("-r", "252")]
    [InlineData("-r", "256")]
    [InlineData("-r", "4294967295")]
    [InlineData("-r", "istio")]
    [InlineData("-t", "1")]
    [InlineData("-t", "0xffffffff")]
    public void Run_TproxyRoutingValueIstioAccepts_Accepted(string flag, string value)
    {
        CliRun run = _cli.Run("-m", "TPROXY", "-b", "*", flag, value, "--dry-run");

        run.ExitCode.Should().Be(0, run.Error);
    }

    [Theory]
    [InlineData("-b")]
    [InlineData("-t")]
    [InlineData("-c")]
    [InlineData("--bogus-flag-")]
    public void Run_HundredKilobyteValue_ErrorLineDoesNotRepeatItWhole(string flag)
    {
        string huge = flag == "-b" ? new string('9', 100_000) : new string('x', 100_000);

        CliRun run = flag.StartsWith("--bogus", StringComparison.Ordinal) ? _cli.Run(flag + huge) : _cli.Run("-m", "TPROXY", flag, huge);

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().ContainSingle().Which.Length.Should().BeLessThan(600, "the value is shortened, with its length");
        run.Error.Should().MatchRegex(@"1000\d\d characters");
    }

    [Theory]
    [InlineData("-p", "15001", "-b", "80", "-p")]
    [InlineData("-b", "80", "--envoy-port", "15001", "--envoy-port")]
    [InlineData("-x", "10.0.0.0/8", "-x")]
    public void Run_TrailingFlagWithoutValue_RefusedEvenWhenGivenEarlier(params string[] args)
    {
        CliRun run = _cli.Run(args);

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().ContainSingle().Which.Should().Contain(args[^1]).And.Contain("no value");
        _cli.Applier.Calls.Should().Be(0);
    }

    [Fact]
    public void Run_DuplicateListItems_MergedIntoOneRuleEach()
    {
        CliRun run = _cli.Run("-b", "80,80,81,80", "-o", "53,53", "-x", "10.0.0.0/8,10.0.0.0/8", "-i", "*", "--ipv6=false", "--dry-run");

        run.ExitCode.Should().Be(0, run.Error);
        run.Out.Split('\n').Count(line => line.Contains("--dport 80 ", StringComparison.Ordinal)).Should().Be(1);
        run.Out.Split('\n').Count(line => line.Contains("-d 10.0.0.0/8 ", StringComparison.Ordinal)).Should().Be(1);
        run.Out.Split('\n').Count(line => line.Contains("--dport 53 ", StringComparison.Ordinal) && line.Contains("-p tcp", StringComparison.Ordinal)).Should().Be(1);
    }

    [Fact]
    public void Run_TooManyOwnerGroups_Refused()
    {
        _cli.Environment.Set("ISTIO_OUTBOUND_OWNER_GROUPS", string.Join(',', Enumerable.Range(1000, 65)));

        CliRun run = _cli.Run();

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal("capture-init: $ISTIO_OUTBOUND_OWNER_GROUPS: 65 groups given, at most 64 are allowed");
    }

    [Fact]
    public void Run_SixtyFourOwnerGroups_Accepted()
    {
        _cli.Environment.Set("ISTIO_OUTBOUND_OWNER_GROUPS", string.Join(',', Enumerable.Range(1000, 64)));

        CliRun run = _cli.Run("--dry-run");

        run.ExitCode.Should().Be(0, run.Error);
    }

    [Fact]
    public void Run_SeveralProblems_ReportsThemAll()
    {
        CliRun run = _cli.Run("-p", "abc", "-z", "0", "-m", "FOO", "-x", "*", "--force-iptables-binary", "iptables");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().HaveCount(5);
        run.ErrorLines.Should().OnlyContain(line => line.StartsWith("capture-init: ", StringComparison.Ordinal));
        run.Error.Should().NotContain("   at ");
    }

    [Fact]
    public void Run_UnknownFlag_OneLineExit1()
    {
        CliRun run = _cli.Run("--bogus");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal("capture-init: Unrecognized command or argument '--bogus'.");
    }

    [Fact]
    public void Run_FlagWithoutValue_OneLineExit1()
    {
        CliRun run = _cli.Run("-p");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().ContainSingle().Which.Should().Contain("-p");
    }
}
