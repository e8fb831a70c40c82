using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Tunneling.Http2;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Tunneling.Http2;

/// <summary>A scripted HTTP/2 server over loopback TCP, frame by frame, for behaviour a real peer will not show on demand (silence, GOAWAY).</summary>
internal sealed class RawHttp2Peer : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly HpackEncoder _encoder = new();
    private Socket? _socket;
    private NetworkStream? _stream;

    public static async Task<(RawHttp2Peer Peer, Http2ClientConnection Connection)> StartAsync(TimeProvider time)
    {
        var peer = new RawHttp2Peer();
        peer._listener.Start();
        var client = new TcpClient();
        Task<Socket> accept = peer._listener.AcceptSocketAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)peer._listener.LocalEndpoint).Port).WaitAsync(Timeout);
        peer._socket = await accept.WaitAsync(Timeout);
        peer._stream = new NetworkStream(peer._socket, ownsSocket: true);
        Http2ClientConnection connection = await Http2ClientConnection.StartAsync(client.GetStream(), Http2ClientSettings.Default, time, NullLogger.Instance, CancellationToken.None);
        byte[] preface = new byte[24];
        await peer._stream.ReadExactlyAsync(preface).AsTask().WaitAsync(Timeout);
        return (peer, connection);
    }

    public async Task<(Http2FrameHeader Header, byte[] Payload)> ReadFrameAsync()
    {
        byte[] header = new byte[Http2FrameHeader.Size];
        await _stream!.ReadExactlyAsync(header).AsTask().WaitAsync(Timeout);
        Http2FrameHeader parsed = Http2FrameHeader.Read(header);
        byte[] payload = new byte[parsed.Length];
        await _stream.ReadExactlyAsync(payload).AsTask().WaitAsync(Timeout);
        return (parsed, payload);
    }

    /// <summary>Reads frames until one of <paramref name="type"/> arrives (SETTINGS, WINDOW_UPDATE and the like are skipped).</summary>
    public async Task<(Http2FrameHeader Header, byte[] Payload)> ReadUntilAsync(Http2FrameType type)
    {
        while (true)
        {
            (Http2FrameHeader header, byte[] payload) = await ReadFrameAsync();
            if (header.Type == type)
            {
                return (header, payload);
            }
        }
    }

    public Task SendSettingsAsync() => SendAsync(buffer => Http2FrameWriter.WriteSettings(buffer, [(Http2SettingId.MaxConcurrentStreams, 100)]));

    public Task SendGoAwayAsync(int lastStreamId) => SendAsync(buffer => Http2FrameWriter.WriteGoAway(buffer, lastStreamId, Http2ErrorCode.NoError));

    public Task SendPingAckAsync(ulong opaque) => SendAsync(buffer => Http2FrameWriter.WritePing(buffer, opaque, ack: true));

    public Task SendDataAsync(int streamId, byte[] data, bool endStream) => SendAsync(buffer => Http2FrameWriter.WriteData(buffer, streamId, data, endStream));

    public Task SendResponseAsync(int streamId, int status)
    {
        var block = new ArrayBufferWriter<byte>();
        _encoder.BeginBlock(block);
        _encoder.Encode(block, ":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        byte[] bytes = block.WrittenSpan.ToArray();
        return SendAsync(buffer => Http2FrameWriter.WriteHeaders(buffer, streamId, bytes, endStream: false, 16_384));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }
    }

    private async Task SendAsync(Func<byte[], int> write)
    {
        byte[] buffer = new byte[1024];
        int length = write(buffer);
        await _stream!.WriteAsync(buffer.AsMemory(0, length)).AsTask().WaitAsync(Timeout);
    }
}
