namespace Capture.Proxy.Relaying;

/// <summary>
/// One direction of a connection (client→upstream or upstream→client): what it holds in flight and how it ends.
/// Bytes held are either in a leased pipe or in a copy backlog, never both, so they leave in the order they came.
/// </summary>
internal sealed class RelayHalf(bool fromClient)
{
    /// <summary>True for client→upstream.</summary>
    public bool FromClient { get; } = fromClient;

    /// <summary>Leased only while bytes are in flight (or a burst is under way).</summary>
    public SplicePipe Pipe = SplicePipe.None;

    /// <summary>Bytes spliced into <see cref="Pipe"/> and not yet out: tells "pipe full" from "socket empty" on EAGAIN.</summary>
    public int InPipe;

    /// <summary>Copy-path bytes the sink would not take yet (rented from ArrayPool, returned exactly once).</summary>
    public byte[]? Backlog;

    public int BacklogOffset;

    public int BacklogCount;

    /// <summary>The source sent FIN (read returned 0).</summary>
    public bool SourceEof;

    /// <summary>Everything delivered and the sink shut down for writing: this direction is over.</summary>
    public bool Finished;

    /// <summary>The last burst was large: start the next one with splice rather than a copy probe.</summary>
    public bool PreferSplice;

    /// <summary>This direction moves bulk data: its pipe may grow, and its next burst starts with a grown pipe if one is idle.</summary>
    public bool Bulk;

    /// <summary>Bytes read since the source last ran dry.</summary>
    public long Burst;

    /// <summary>Bytes delivered to the sink.</summary>
    public long Bytes;

    public long Spliced;

    public long Copied;
}
