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

    /// <summary>SO_RCVLOWAT is raised on the source: the loop hears from it per batch (see Connection.TrackBatching).</summary>
    public bool Batching;

    /// <summary>The low-water mark set on the source while batching.</summary>
    public int BatchBytes;

    /// <summary>Stopwatch timestamp by which the current batch must be complete; past it the loop reads what is queued.</summary>
    public long BatchDeadline;

    /// <summary>Stopwatch ticks a batch may take at this stream's rate (four times its expected fill time, within bounds).</summary>
    public long BatchWait;

    /// <summary>A batch was overdue and the loop is reading what is queued; <see cref="ProbeBytes"/> is what that found.</summary>
    public bool Probing;

    public long ProbeBytes;

    /// <summary>Stopwatch timestamp of the first read of the current bulk run (0: no run), and bytes read since.</summary>
    public long RunStart;

    public long RunBytes;

    /// <summary>Bytes read since the source last ran dry.</summary>
    public long Burst;

    /// <summary>Bytes delivered to the sink.</summary>
    public long Bytes;

    public long Spliced;

    public long Copied;
}
