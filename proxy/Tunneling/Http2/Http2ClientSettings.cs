namespace Capture.Proxy.Tunneling.Http2;

/// <summary>Settings of our HTTP/2 client connections; the defaults are ztunnel's (docs/HBONE.md §1).</summary>
internal sealed record Http2ClientSettings
{
    /// <summary>The settings ztunnel's client uses.</summary>
    public static Http2ClientSettings Default { get; } = new();

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE we announce: how much each stream may buffer here unread. Default 4 MiB.</summary>
    public int InitialStreamWindowSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Our connection receive window, raised from 65,535 by a WINDOW_UPDATE after the preface. Default 16 MiB.</summary>
    public int ConnectionWindowSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>SETTINGS_MAX_FRAME_SIZE we announce. Default 1 MiB.</summary>
    public int MaxFrameSize { get; init; } = 1024 * 1024;

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE we announce. Default 16 KiB (ztunnel's client).</summary>
    public int MaxHeaderListSize { get; init; } = 16 * 1024;

    /// <summary>Our cap on concurrent streams; the peer's SETTINGS_MAX_CONCURRENT_STREAMS lowers it. Default 100.</summary>
    public int MaxConcurrentStreams { get; init; } = 100;

    /// <summary>How often we PING the peer. Default 10 s.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a PING may go unanswered before the connection is dropped. Default 20 s.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Bytes of DATA queued for the transport before writers wait for the writer task: frames from all streams are
    /// coalesced into writes of up to this size. Default 256 KiB.
    /// </summary>
    public int WriteBufferSize { get; init; } = 256 * 1024;
}
