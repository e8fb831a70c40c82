using System.Text.RegularExpressions;
using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Metrics;

namespace Capture.Proxy.Tests.Metrics;

public partial class ProxyMetricsTests
{
    [Fact]
    public void Events_UpdateTheExposedCounters()
    {
        ProxyMetrics metrics = new() { Snapshot = () => new EngineSnapshot(1, PipesPooled: 6, PipesLeased: 2, Listening: true, PipesGrown: 3, ReadBatchesStarted: 5) };

        metrics.ConnectionAccepted(TrafficDirection.Outbound);
        metrics.ConnectionAccepted(TrafficDirection.Outbound);
        metrics.ConnectionAccepted(TrafficDirection.Inbound);
        metrics.UpstreamConnected(TrafficDirection.Outbound);
        metrics.BytesRelayed(TrafficDirection.Outbound, upstream: 40, downstream: 1500, spliced: 1500, copied: 40);
        metrics.BytesRelayed(TrafficDirection.Outbound, upstream: 60, downstream: 500, spliced: 400, copied: 160);
        metrics.ConnectionClosed(EngineEvents.Closed(TrafficDirection.Outbound, ConnectionEndReason.Completed, up: 100, down: 2000, spliced: 1900, copied: 200));
        metrics.ConnectFailed(TrafficDirection.Inbound, ConnectFailure.Refused);
        metrics.ConnectionClosed(EngineEvents.Closed(TrafficDirection.Inbound, ConnectionEndReason.ConnectFailed, error: Errno.ECONNREFUSED));
        metrics.LoopRefused(TrafficDirection.Outbound);
        metrics.ConnectionAccepted(TrafficDirection.Outbound);
        metrics.ConnectionClosed(EngineEvents.Closed(TrafficDirection.Outbound, ConnectionEndReason.LoopRefused));
        metrics.AcceptFailed(TrafficDirection.Inbound, Errno.EMFILE);
        string text = metrics.ToPrometheusText();

        text.Should().Contain("capture_connections_accepted_total{direction=\"outbound\"} 3\n")
            .And.Contain("capture_connections_accepted_total{direction=\"inbound\"} 1\n")
            .And.Contain("capture_connections_active{direction=\"outbound\"} 1\n")
            .And.Contain("capture_connections_active{direction=\"inbound\"} 0\n")
            .And.Contain("capture_upstream_connected_total{direction=\"outbound\"} 1\n")
            .And.Contain("capture_connections_closed_total{direction=\"outbound\",end=\"completed\"} 1\n")
            .And.Contain("capture_connections_closed_total{direction=\"inbound\",end=\"connect_failed\"} 1\n")
            .And.Contain("capture_connections_failed_total{direction=\"inbound\",cause=\"refused\"} 1\n")
            .And.Contain("capture_connections_failed_total{direction=\"outbound\",cause=\"loop\"} 1\n")
            .And.Contain("capture_upstream_connect_failures_total{direction=\"inbound\",cause=\"refused\"} 1\n")
            .And.Contain("capture_accept_failures_total{direction=\"inbound\",cause=\"resource_exhausted\"} 1\n")
            .And.Contain("capture_loops_refused_total{direction=\"outbound\"} 1\n")
            .And.Contain("capture_bytes_total{direction=\"outbound\",way=\"upstream\"} 100\n")
            .And.Contain("capture_bytes_total{direction=\"outbound\",way=\"downstream\"} 2000\n")
            .And.Contain("capture_bytes_spliced_total{direction=\"outbound\"} 1900\n")
            .And.Contain("capture_bytes_copied_total{direction=\"outbound\"} 200\n")
            .And.Contain("capture_pipe_pool_pipes{state=\"pooled\"} 6\n")
            .And.Contain("capture_pipe_pool_pipes{state=\"leased\"} 2\n")
            .And.Contain("capture_pipes_grown 3\n")
            .And.Contain("capture_read_batching_started_total 5\n");
        text.Should().NotContain("capture_upstream_connect_failures_total{direction=\"outbound\",cause=\"loop\"}",
            "a loop never gets as far as a connect");
        metrics.Active(TrafficDirection.Outbound).Should().Be(1);
    }

    [Fact]
    public void BytesRelayed_WhileOpen_CountsBeforeTheClose_AndTheCloseAddsNoBytes()
    {
        ProxyMetrics metrics = new();
        metrics.ConnectionAccepted(TrafficDirection.Inbound);

        metrics.BytesRelayed(TrafficDirection.Inbound, upstream: 300, downstream: 70_000, spliced: 65_536, copied: 4_764);
        string open = metrics.ToPrometheusText();
        metrics.BytesRelayed(TrafficDirection.Inbound, upstream: 5, downstream: 0, spliced: 0, copied: 5);
        metrics.ConnectionClosed(EngineEvents.Closed(TrafficDirection.Inbound, ConnectionEndReason.Completed, up: 305, down: 70_000,
            spliced: 65_536, copied: 4_769));
        string closed = metrics.ToPrometheusText();

        open.Should().Contain("capture_connections_active{direction=\"inbound\"} 1\n")
            .And.Contain("capture_bytes_total{direction=\"inbound\",way=\"upstream\"} 300\n")
            .And.Contain("capture_bytes_total{direction=\"inbound\",way=\"downstream\"} 70000\n")
            .And.Contain("capture_bytes_spliced_total{direction=\"inbound\"} 65536\n")
            .And.Contain("capture_bytes_copied_total{direction=\"inbound\"} 4764\n")
            .And.Contain("capture_bytes_total{direction=\"outbound\",way=\"upstream\"} 0\n");
        closed.Should().Contain("capture_connections_active{direction=\"inbound\"} 0\n")
            .And.Contain("capture_bytes_total{direction=\"inbound\",way=\"upstream\"} 305\n", "the summary's totals are not added again")
            .And.Contain("capture_bytes_total{direction=\"inbound\",way=\"downstream\"} 70000\n")
            .And.Contain("capture_bytes_spliced_total{direction=\"inbound\"} 65536\n")
            .And.Contain("capture_bytes_copied_total{direction=\"inbound\"} 4769\n");
    }

    [Fact]
    public void ToPrometheusText_IsWellFormed_EachFamilyOnceWithHelpAndTypeBeforeItsSamples()
    {
        ProxyMetrics metrics = new();
        metrics.ConnectionAccepted(TrafficDirection.Inbound);

        string[] lines = metrics.ToPrometheusText().Split('\n');

        lines[^1].Should().BeEmpty("the text ends with a line feed");
        HashSet<string> families = [];
        string? current = null;
        bool histogram = false;
        foreach (string line in lines[..^1])
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                current = line.Split(' ')[2];
                families.Add(current).Should().BeTrue($"{current} is described once");
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                line.Should().MatchRegex($"^# TYPE {current} (counter|gauge|histogram)$");
                histogram = line.EndsWith(" histogram", StringComparison.Ordinal);
                if (current!.EndsWith("_total", StringComparison.Ordinal))
                {
                    line.Should().EndWith(" counter");
                }
            }
            else
            {
                Match sample = SampleLine().Match(line);
                sample.Success.Should().BeTrue($"'{line}' is a sample line");
                string name = sample.Groups["name"].Value;
                if (histogram)
                {
                    name.Should().BeOneOf([current + "_bucket", current + "_sum", current + "_count"], "a histogram's samples");
                }
                else
                {
                    name.Should().Be(current, "samples follow their own family's HELP and TYPE");
                }
            }
        }

        families.Should().Contain(["capture_connections_accepted_total", "capture_connections_active", "capture_connections_failed_total",
            "capture_bytes_total", "capture_bytes_spliced_total", "capture_bytes_copied_total", "capture_upstream_connect_failures_total",
            "capture_loops_refused_total", "capture_pipe_pool_pipes", "capture_pipes_grown", "capture_read_batching_started_total", "capture_accept_failures_total"]);
    }

    [Fact]
    public async Task Events_FromManyThreads_CountEveryOne()
    {
        ProxyMetrics metrics = new();
        ConnectionSummary closed = EngineEvents.Closed(TrafficDirection.Outbound, ConnectionEndReason.Completed, up: 1, down: 1, copied: 2);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                metrics.ConnectionAccepted(TrafficDirection.Outbound);
                metrics.BytesRelayed(TrafficDirection.Outbound, upstream: 1, downstream: 1, spliced: 0, copied: 2);
                metrics.ConnectionClosed(closed);
            }
        })));

        metrics.ToPrometheusText().Should().Contain("capture_connections_accepted_total{direction=\"outbound\"} 80000\n")
            .And.Contain("capture_bytes_total{direction=\"outbound\",way=\"upstream\"} 80000\n")
            .And.Contain("capture_bytes_copied_total{direction=\"outbound\"} 160000\n");
        metrics.Active(TrafficDirection.Outbound).Should().Be(0);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9]+$""")]
    private static partial Regex SampleLine();
}
