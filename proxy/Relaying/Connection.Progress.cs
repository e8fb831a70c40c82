using Capture.Proxy.Contracts;

namespace Capture.Proxy.Relaying;

internal sealed partial class Connection
{
    // What IProxyEvents.BytesRelayed has been told so far. Kept here, not counted on the data path: the relay only adds
    // to its RelayHalf totals, and the sweep and the close report the difference.
    private long _reportedUp;
    private long _reportedDown;
    private long _reportedSpliced;
    private long _reportedCopied;

    /// <summary>
    /// Reports the bytes delivered since the previous report, if any. The sweep calls this for every open connection,
    /// so one that moved nothing costs two comparisons, no call and no allocation.
    /// </summary>
    private void ReportRelayed()
    {
        long up = _up.Bytes - _reportedUp;
        long down = _down.Bytes - _reportedDown;
        if (up == 0 && down == 0)
        {
            return;
        }

        long spliced = _up.Spliced + _down.Spliced;
        long copied = _up.Copied + _down.Copied;
        _context.Events.BytesRelayed(Info, up, down, spliced - _reportedSpliced, copied - _reportedCopied);
        _reportedUp = _up.Bytes;
        _reportedDown = _down.Bytes;
        _reportedSpliced = spliced;
        _reportedCopied = copied;
    }
}
