using Capture.Init.Cli;

namespace Capture.Init.Tests.Cli;

public class ErrorTextTests
{
    [Fact]
    public void Shorten_LongQuotedValue_ShowsItsStartAndLength()
    {
        string shortened = ErrorText.Shorten($"-b/--istio-inbound-ports: '{new string('9', 5_000)}' is not a port number");

        shortened.Should().StartWith("-b/--istio-inbound-ports: '999").And.Contain("…' (5000 characters) is not a port number");
        shortened.Length.Should().BeLessThan(200);
    }

    [Fact]
    public void Shorten_ManyShortLines_KeepsEveryLineWhole()
    {
        // A drift report: each line is short, together they are long. Cutting the whole message hid the line that
        // said what differs ("unexpected table ...").
        string[] lines = [.. Enumerable.Range(1, 40).Select(i => $"  missing rule {i}: -A ISTIO_OUTPUT -o lo -j RETURN"), "  unexpected table inet istio-proxy-raw"];
        string report = "nft tables in network namespace /var/run/netns/x differ from the plan:\n" + string.Join('\n', lines);

        string shortened = ErrorText.Shorten(report);

        shortened.Should().Be(report);
    }

    [Fact]
    public void Shorten_OneLongLineAmongShortOnes_BoundsOnlyThatLine()
    {
        string message = $"first line\nvalue '{new string('x', 100_000)}' refused\nlast line";

        string shortened = ErrorText.Shorten(message);

        shortened.Split('\n').Should().HaveCount(3).And.Contain("first line").And.Contain("last line");
        shortened.Should().Contain("(100000 characters) refused");
        shortened.Length.Should().BeLessThan(300);
    }
}
