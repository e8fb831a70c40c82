using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Relaying;

/// <summary>An engine on 127.0.0.1 with ephemeral ports whose every connection goes to a test-chosen destination.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private EngineHarness(ProxyEngine engine, RecordingEvents events, DelegateResolver resolver)
    {
        Engine = engine;
        Events = events;
        Resolver = resolver;
    }

    public ProxyEngine Engine { get; }

    public RecordingEvents Events { get; }

    public DelegateResolver Resolver { get; }

    public IPEndPoint Outbound => Engine.OutboundEndPoints[0];

    public IPEndPoint Inbound => Engine.InboundEndPoints[0];

    public static EngineHarness Start(IPEndPoint? destination, Func<ProxyOptions, ProxyOptions>? configure = null, IUpstreamRouter? router = null)
    {
        ProxyOptions options = new()
        {
            OutboundPort = 0,
            InboundPort = 0,
            ListenAddresses = [IPAddress.Loopback],
            Workers = 2,
        };
        options = configure?.Invoke(options) ?? options;
        RecordingEvents events = new();
        DelegateResolver resolver = new() { Destination = destination };
        ProxyEngine engine = new(options, events, NullLoggerFactory.Instance, resolver, timeProvider: null, router);
        engine.Start();
        return new EngineHarness(engine, events, resolver);
    }

    public async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        Socket client = new(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(endPoint).WaitAsync(Bound);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync().AsTask().WaitAsync(Bound);
    }
}
