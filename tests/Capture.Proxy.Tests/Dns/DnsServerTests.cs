using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Dns;
using Capture.Proxy.Metrics;
using Capture.Proxy.Workloads;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Dns;

/// <summary>The DNS proxy in process on loopback, queried with DnsClient's resolver (an independent parser of our answers).</summary>
public sealed class DnsServerTests : IAsyncDisposable
{
    private static readonly WorkloadIndex s_index = new(LocalConfigParser.Parse("""
        services:
        - name: reviews
          namespace: default
          hostname: reviews.default.svc.cluster.local
          vips: ["/10.96.0.20"]
          ports: {9080: 9080}
        """, "/test/workloads.yaml"));

    private readonly DnsMetrics _metrics = new();
    private FakeNameserver? _upstream;
    private DnsServer? _server;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _upstream?.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Query_MeshServiceName_AuthoritativeVipWithTtl30(bool tcp)
    {
        IPEndPoint dns = Start(silentUpstream: false);

        IDnsQueryResponse response = await Client(dns, tcp).QueryAsync("reviews.default.svc.cluster.local", QueryType.A);

        response.HasError.Should().BeFalse(response.ErrorMessage);
        response.Header.HasAuthorityAnswer.Should().BeTrue();
        ARecord a = response.Answers.ARecords().Should().ContainSingle().Subject;
        a.Address.Should().Be(IPAddress.Parse("10.96.0.20"));
        a.InitialTimeToLive.Should().Be(30);
        _metrics.Queries(DnsResult.Local, tcp).Should().Be(1);
        _upstream!.Received.Should().Be(0);
    }

    [Fact]
    public async Task Query_KnownNameOtherFamily_NoErrorWithoutAnswer()
    {
        IPEndPoint dns = Start(silentUpstream: false);

        IDnsQueryResponse response = await Client(dns, tcp: false).QueryAsync("reviews", QueryType.AAAA);

        response.Header.ResponseCode.Should().Be(DnsHeaderResponseCode.NoError);
        response.Answers.Should().BeEmpty();
        _upstream!.Received.Should().Be(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Query_OutsideName_ForwardedOverTheSameTransport(bool tcp)
    {
        IPEndPoint dns = Start(silentUpstream: false);

        IDnsQueryResponse response = await Client(dns, tcp).QueryAsync("www.example.org", QueryType.A);

        response.HasError.Should().BeFalse(response.ErrorMessage);
        response.Answers.ARecords().Should().ContainSingle().Which.Address.Should().Be(IPAddress.Parse("192.0.2.1"));
        _metrics.Queries(DnsResult.Forwarded, tcp).Should().Be(1);
        _upstream!.Received.Should().Be(1);
    }

    [Fact]
    public async Task Query_UpstreamNeverAnswers_ServFailAfterTheTimeout()
    {
        IPEndPoint dns = Start(silentUpstream: true);

        IDnsQueryResponse response = await Client(dns, tcp: false).QueryAsync("www.example.org", QueryType.A);

        response.Header.ResponseCode.Should().Be(DnsHeaderResponseCode.ServerFailure);
        _metrics.Queries(DnsResult.ServFail, tcp: false).Should().Be(1);
    }

    [Fact]
    public async Task Burst_TenThousandQueriesMalformedAndUnanswered_StillAnswersAndStaysBounded()
    {
        IPEndPoint dns = Start(silentUpstream: true);
        using Socket flood = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Random random = new(14);
        int maxOutstanding = 0;
        for (int i = 0; i < 10_000; i++)
        {
            byte[] datagram = (i % 3) switch
            {
                0 => DnsMessages.Query((ushort)i, $"q{i}.example.org", DnsWire.TypeA), // forwarded to a silent upstream
                1 => RandomBytes(random, random.Next(0, 600)),                      // garbage of any size
                _ => DnsMessages.Query((ushort)i, "reviews", DnsWire.TypeA),          // local
            };
            await flood.SendToAsync(datagram, SocketFlags.None, dns);
            maxOutstanding = Math.Max(maxOutstanding, (int)_metrics.Outstanding);
        }

        // The flood outruns the server and fills its socket's receive buffer, where the kernel drops what does not fit
        // (most of the 10,000 here): the first try of the next query can be dropped too, so it is asked as a resolver
        // asks, with retries (glibc: attempts 2, timeout 5 s).
        IDnsQueryResponse response = await Client(dns, tcp: false, retries: 3, timeout: TimeSpan.FromSeconds(1)).QueryAsync("reviews.default", QueryType.A);

        response.Answers.ARecords().Should().ContainSingle().Which.Address.Should().Be(IPAddress.Parse("10.96.0.20"));
        maxOutstanding.Should().BeLessThanOrEqualTo(DnsServer.MaxOutstanding);
        _metrics.Queries(DnsResult.Malformed, tcp: false).Should().BeGreaterThan(0);
        _metrics.Queries(DnsResult.ServFail, tcp: false).Should().BeGreaterThan(0, "beyond 128 outstanding, SERVFAIL at once");
        _upstream!.Received.Should().BeLessThan(3334);
    }

    private IPEndPoint Start(bool silentUpstream)
    {
        _upstream = new FakeNameserver(silentUpstream);
        DnsForwarder forwarder = new([_upstream.EndPoint], _metrics, TimeSpan.FromMilliseconds(500));
        DnsResponder responder = new(() => s_index, "default", forwarder, _metrics, DnsServer.MaxOutstanding);
        _server = new DnsServer(0, ipv6: false, responder, NullLogger.Instance);
        _server.Start();
        return _server.EndPoints[0];
    }

    private static LookupClient Client(IPEndPoint dns, bool tcp, int retries = 0, TimeSpan? timeout = null) => new(new LookupClientOptions(dns)
    {
        UseCache = false,
        UseTcpOnly = tcp,
        Retries = retries,
        Timeout = timeout ?? TimeSpan.FromSeconds(3),
        ThrowDnsErrors = false,
        ContinueOnDnsError = false,
    });

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
