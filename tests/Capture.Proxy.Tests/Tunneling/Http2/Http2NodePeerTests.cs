using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Capture.Proxy.Tunneling.Http2;
using Xunit.Abstractions;

namespace Capture.Proxy.Tests.Tunneling.Http2;

/// <summary>Http2ClientConnection against Node's http2 (nghttp2) as an independent server, over TLS (ALPN h2) and h2c.</summary>
public class Http2NodePeerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;

    public Http2NodePeerTests(ITestOutputHelper output) => _output = output;

    [RequiresNodeFact]
    public async Task ConnectAsync_OverTls_PeerSeesPlainConnectWithAuthorityAndForwarded()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: true);
        await using Http2ClientConnection connection = await server.ConnectAsync();

        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080",
            [new("x-id", "first"), new("forwarded", "for=\"10.0.0.1:41234\"")], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;
        await stream.WriteAsync("ping"u8.ToArray()).AsTask().WaitAsync(Timeout);
        await stream.CompleteWritesAsync();
        byte[] echoed = await ReadToEndAsync(stream);
        JsonElement record = await StatsAsync(connection, "first");

        result.Status.Should().Be(200);
        Encoding.ASCII.GetString(echoed).Should().Be("ping");
        record.GetProperty("checks").GetString().Should().Be("ok", "CONNECT carries :method and :authority and no :scheme or :path");
        record.GetProperty("authority").GetString().Should().Be("10.0.0.7:9080");
        record.GetProperty("forwarded").GetString().Should().Be("for=\"10.0.0.1:41234\"");
    }

    [RequiresNodeFact]
    public async Task ConnectAsync_IPv6Authority_ArrivesBracketed()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();

        Http2ConnectResult result = await connection.ConnectAsync("[fd00::7]:8080", [new("x-id", "v6")], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;
        await stream.CompleteWritesAsync();
        await ReadToEndAsync(stream);
        JsonElement record = await StatsAsync(connection, "v6");

        record.GetProperty("authority").GetString().Should().Be("[fd00::7]:8080");
        record.GetProperty("checks").GetString().Should().Be("ok");
    }

    [RequiresNodeFact]
    public async Task ConnectAsync_PeerAnswers503_ReturnsStatusWithoutStream()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();

        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080", [new("x-mode", "status"), new("x-status", "503")], CancellationToken.None).WaitAsync(Timeout);

        result.Status.Should().Be(503);
        result.Stream.Should().BeNull();
        connection.ActiveStreams.Should().Be(0);
    }

    [RequiresNodeFact]
    public async Task Echo_64MiBOverTls_Sha256Equal()
    {
        const int ChunkSize = 256 * 1024;
        const int Chunks = 256;   // 64 MiB
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: true, window: 4 * 1024 * 1024);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080", [], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;
        byte[] chunk = new byte[ChunkSize];
        Random.Shared.NextBytes(chunk);
        using var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();

        Task writer = Task.Run(async () =>
        {
            for (int i = 0; i < Chunks; i++)
            {
                chunk[0] = (byte)i;   // every chunk differs, so reordering would change the hash
                sent.AppendData(chunk);
                await stream.WriteAsync(chunk);
            }

            await stream.CompleteWritesAsync();
        });
        long total = 0;
        byte[] buffer = new byte[256 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout)) > 0)
        {
            received.AppendData(buffer, 0, read);
            total += read;
        }

        await writer.WaitAsync(Timeout);
        stopwatch.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        total.Should().Be((long)ChunkSize * Chunks);
        received.GetHashAndReset().Should().Equal(sent.GetHashAndReset());
        double megabytes = total / (1024.0 * 1024.0);
        _output.WriteLine($"64 MiB each way through Node's echo over TLS: {stopwatch.Elapsed.TotalSeconds:0.00} s, {megabytes / stopwatch.Elapsed.TotalSeconds:0} MiB/s each way, " +
            $"{allocated / (2 * megabytes):0} bytes allocated per MiB moved (whole process)");
    }

    [RequiresNodeFact]
    public async Task HalfClose_ClientFirst_EchoFinishesThenEndOfStream()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080", [], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;
        byte[] payload = new byte[1024 * 1024];
        Random.Shared.NextBytes(payload);

        Task writer = Task.Run(async () =>
        {
            await stream.WriteAsync(payload);
            await stream.CompleteWritesAsync();
        });
        byte[] echoed = await ReadToEndAsync(stream);
        await writer.WaitAsync(Timeout);

        echoed.Should().Equal(payload);
        connection.ActiveStreams.Should().Be(0, "both sides ended the stream");
    }

    [RequiresNodeFact]
    public async Task HalfClose_ServerFirst_ClientKeepsSendingUntilItEnds()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080", [new("x-mode", "server-first"), new("x-id", "sf")], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;

        byte[] greeting = await ReadToEndAsync(stream);
        await stream.WriteAsync(new byte[300_000]).AsTask().WaitAsync(Timeout);
        await stream.CompleteWritesAsync();
        JsonElement record = await WaitForStatsAsync(connection, "sf", r => r.GetProperty("ended").GetBoolean());

        Encoding.ASCII.GetString(greeting).Should().Be("hello");
        record.GetProperty("received").GetInt32().Should().Be(300_000);
    }

    [RequiresNodeFact]
    public async Task Reset_ByPeerWithConnectError_ReadThrowsWithTheCode()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080",
            [new("x-mode", "reset"), new("x-after", "1000"), new("x-code", "10")], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;

        await stream.WriteAsync(new byte[1000]).AsTask().WaitAsync(Timeout);
        await WaitUntilAsync(() => connection.ActiveStreams == 0);   // Node sends END_STREAM, then RST_STREAM: wait for both
        Func<Task> read = () => ReadToEndAsync(stream);

        (await read.Should().ThrowAsync<Http2StreamResetException>()).Which.ErrorCode.Should().Be(Http2ErrorCode.ConnectError);
    }

    [RequiresNodeFact]
    public async Task Reset_ByPeerWithCancel_ReadsAsEndOfStream()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080",
            [new("x-mode", "reset"), new("x-after", "0"), new("x-code", "8")], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;

        byte[] data = await ReadToEndAsync(stream);
        await WaitUntilAsync(() => connection.ActiveStreams == 0);
        Func<Task> write = () => stream.WriteAsync(new byte[10]).AsTask();

        data.Should().BeEmpty();
        (await write.Should().ThrowAsync<Http2StreamResetException>()).Which.ErrorCode.Should().Be(Http2ErrorCode.Cancel);
    }

    [RequiresNodeFact]
    public async Task Reset_ByUs_PeerSeesRstStreamWithOurCode()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080", [new("x-id", "ours")], CancellationToken.None).WaitAsync(Timeout);
        Http2Stream stream = result.Stream!;
        await stream.WriteAsync(new byte[100]).AsTask().WaitAsync(Timeout);

        stream.Abort(Http2ErrorCode.ConnectError);
        JsonElement record = await WaitForStatsAsync(connection, "ours", r => r.GetProperty("rstCode").ValueKind == JsonValueKind.Number);
        Func<Task> read = () => stream.ReadAsync(new byte[10]).AsTask();

        record.GetProperty("rstCode").GetInt32().Should().Be((int)Http2ErrorCode.ConnectError);
        await read.Should().ThrowAsync<ObjectDisposedException>();
        connection.ActiveStreams.Should().Be(0);
        await stream.DisposeAsync();
    }

    [RequiresNodeFact]
    public async Task ConnectAsync_200ConcurrentStreams_AtMost100OpenAndTheRestWait()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int opened = 0;
        int maxActive = 0;

        Task[] clients = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080", [], CancellationToken.None);
            Interlocked.Increment(ref opened);
            InterlockedMax(ref maxActive, connection.ActiveStreams);
            await using Http2Stream stream = result.Stream!;
            await release.Task;
            byte[] payload = BitConverter.GetBytes(i);
            await stream.WriteAsync(payload);
            await stream.CompleteWritesAsync();
            (await ReadToEndAsync(stream)).Should().Equal(payload);
        })).ToArray();
        await WaitUntilAsync(() => Volatile.Read(ref opened) >= 100);
        await Task.Delay(300);   // give stream 101 every chance to open if the limit were not enforced
        int openedAtLimit = Volatile.Read(ref opened);
        bool canOpenAtLimit = connection.CanOpenStream;
        release.SetResult();
        await Task.WhenAll(clients).WaitAsync(Timeout);

        openedAtLimit.Should().Be(100);
        canOpenAtLimit.Should().BeFalse();
        maxActive.Should().BeLessThanOrEqualTo(100);
        opened.Should().Be(200);
        connection.ActiveStreams.Should().Be(0);
    }

    [RequiresNodeFact]
    public async Task ConnectAsync_PeerAllows10Streams_LimitIsThePeers()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false, maxStreams: 10);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        int maxActive = 0;

        Task[] clients = Enumerable.Range(0, 40).Select(_ => Task.Run(async () =>
        {
            Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080", [], CancellationToken.None);
            InterlockedMax(ref maxActive, connection.ActiveStreams);
            await using Http2Stream stream = result.Stream!;
            await Task.Delay(20);
            await stream.CompleteWritesAsync();
            await ReadToEndAsync(stream);
        })).ToArray();
        await Task.WhenAll(clients).WaitAsync(Timeout);

        connection.StreamLimit.Should().Be(10);
        maxActive.Should().BeLessThanOrEqualTo(10);
    }

    [RequiresNodeFact]
    public async Task SlowReader_NodeSide_OurWritesWaitForItsWindow()
    {
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync();
        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080", [new("x-mode", "slow-read"), new("x-pause-ms", "1500")], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;
        byte[] payload = new byte[4 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        long accepted = 0;

        Task writer = Task.Run(async () =>
        {
            for (int offset = 0; offset < payload.Length; offset += 16 * 1024)
            {
                await stream.WriteAsync(payload.AsMemory(offset, 16 * 1024));
                Interlocked.Add(ref accepted, 16 * 1024);
            }

            await stream.CompleteWritesAsync();
        });
        await Task.Delay(800);
        long acceptedWhilePaused = Interlocked.Read(ref accepted);
        byte[] echoed = await ReadToEndAsync(stream);
        await writer.WaitAsync(Timeout);

        acceptedWhilePaused.Should().BeLessThanOrEqualTo(65_535, "Node's stream window is 65,535 bytes and it reads nothing while paused");
        echoed.Should().Equal(payload);
    }

    [RequiresNodeFact]
    public async Task SlowReader_OurSide_BufferedBytesStayWithinOurWindow()
    {
        const int Total = 32 * 1024 * 1024;
        var settings = Http2ClientSettings.Default;
        await using NodeConnectServer server = await NodeConnectServer.StartAsync(tls: false);
        await using Http2ClientConnection connection = await server.ConnectAsync(settings);
        Http2ConnectResult result = await connection.ConnectAsync("10.0.0.7:9080",
            [new("x-mode", "source"), new("x-bytes", Total.ToString(System.Globalization.CultureInfo.InvariantCulture))], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;

        await Task.Delay(500);
        int bufferedWhileIdle = stream.BufferedBytes;
        int maxBuffered = bufferedWhileIdle;
        long total = 0;
        bool patternHolds = true;
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                patternHolds &= buffer[i] == (byte)((total + i) % (64 * 1024) % 251);
            }

            total += read;
            maxBuffered = Math.Max(maxBuffered, stream.BufferedBytes);
            if (total % (4 * 1024 * 1024) < read)
            {
                await Task.Delay(50);   // a slow consumer: the peer must stop at our window
            }
        }

        bufferedWhileIdle.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(settings.InitialStreamWindowSize);
        maxBuffered.Should().BeLessThanOrEqualTo(settings.InitialStreamWindowSize);
        total.Should().Be(Total);
        patternHolds.Should().BeTrue();
        _output.WriteLine($"buffered while not reading: {bufferedWhileIdle} bytes; most buffered: {maxBuffered} bytes (window {settings.InitialStreamWindowSize})");
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var collected = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout)) > 0)
        {
            collected.Write(buffer, 0, read);
        }

        return collected.ToArray();
    }

    private static async Task<JsonElement> StatsAsync(Http2ClientConnection connection, string id)
    {
        Http2ConnectResult result = await connection.ConnectAsync("stats:1", [new("x-mode", "stats"), new("x-query", id)], CancellationToken.None).WaitAsync(Timeout);
        await using Http2Stream stream = result.Stream!;
        await stream.CompleteWritesAsync();
        return JsonDocument.Parse(await ReadToEndAsync(stream)).RootElement;
    }

    private static async Task<JsonElement> WaitForStatsAsync(Http2ClientConnection connection, string id, Func<JsonElement, bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            JsonElement record = await StatsAsync(connection, id);
            if ((record.ValueKind == JsonValueKind.Object && condition(record)) || stopwatch.Elapsed > Timeout)
            {
                return record;
            }

            await Task.Delay(20);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            stopwatch.Elapsed.Should().BeLessThan(Timeout);
            await Task.Delay(10);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
