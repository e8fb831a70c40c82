using System.Text;
using Capture.Proxy.Metrics;

namespace Capture.Proxy.Tests.Metrics;

public class PrometheusTextWriterTests
{
    [Fact]
    public void Family_ThenSamples_WritesHelpTypeAndSampleLines()
    {
        StringBuilder text = new();
        PrometheusTextWriter writer = new(text);

        writer.Family("capture_bytes_total", MetricType.Counter, "Bytes relayed.");
        writer.Sample("capture_bytes_total", [new("direction", "outbound"), new("way", "upstream")], 1234567890123);
        writer.Family("capture_ready", MetricType.Gauge, "Ready.");
        writer.Sample("capture_ready", 1);

        text.ToString().Should().Be(
            "# HELP capture_bytes_total Bytes relayed.\n" +
            "# TYPE capture_bytes_total counter\n" +
            "capture_bytes_total{direction=\"outbound\",way=\"upstream\"} 1234567890123\n" +
            "# HELP capture_ready Ready.\n" +
            "# TYPE capture_ready gauge\n" +
            "capture_ready 1\n");
    }

    [Fact]
    public void Sample_LabelValueWithSpecialCharacters_IsEscaped()
    {
        StringBuilder text = new();

        new PrometheusTextWriter(text).Sample("m", [new("l", "a\"b\\c\nd")], -1);

        text.ToString().Should().Be("m{l=\"a\\\"b\\\\c\\nd\"} -1\n");
    }

    [Fact]
    public void Family_HelpWithBackslashAndNewline_EscapesThoseButNotQuotes()
    {
        StringBuilder text = new();

        new PrometheusTextWriter(text).Family("m", MetricType.Counter, "say \"hi\"\\\nbye");

        text.ToString().Should().StartWith("# HELP m say \"hi\"\\\\\\nbye\n");
    }
}
