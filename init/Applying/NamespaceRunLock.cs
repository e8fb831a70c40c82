using System.Diagnostics;
using Capture.NativeShims;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Applying;

/// <summary>
/// Serialises capture-init runs that change one network namespace: an exclusive flock(2) on the namespace file itself
/// (<c>--network-namespace</c>'s path, or <c>/proc/thread-self/ns/net</c>), held from the first read of the live state
/// to the end of the apply or its rollback.
/// </summary>
/// <remarks>
/// Every path to a namespace (<c>/var/run/netns/NAME</c>, <c>/proc/PID/ns/net</c>, a bind mount in another
/// container) opens the same nsfs inode, and flock locks belong to the inode: two runs from different containers or
/// mount namespaces, naming the namespace differently, still meet on one lock, and nothing has to be writable. The
/// lock goes with the descriptor, so a run killed with -9 releases it. Other programs do not take it; it only orders
/// capture-init runs among themselves.
/// </remarks>
internal sealed partial class NamespaceRunLock : IDisposable
{
    private const string CurrentNamespace = "/proc/thread-self/ns/net";
    private static readonly TimeSpan s_firstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_longestPoll = TimeSpan.FromMilliseconds(100);

    private int _fd;

    private NamespaceRunLock(int fd) => _fd = fd;

    /// <summary>
    /// Takes the lock of <paramref name="networkNamespace"/> (null: the caller's own), waiting at most
    /// <paramref name="timeout"/> for another run to release it; says so in the log when it has to wait.
    /// </summary>
    /// <exception cref="CaptureException">The namespace cannot be opened, or another run kept it past the timeout.</exception>
    public static NamespaceRunLock Acquire(string? networkNamespace, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        string path = networkNamespace ?? CurrentNamespace;
        string where = networkNamespace is null ? "the current network namespace" : "network namespace " + networkNamespace;
        SysResult opened = FileDescriptors.OpenReadOnly(path);
        if (!opened.IsSuccess)
        {
            throw new CaptureException(networkNamespace is null
                ? $"cannot open {path} to lock {where}: {FileDescriptors.Describe(opened.Error)}"
                : $"--network-namespace: '{networkNamespace}': cannot open it: {FileDescriptors.Describe(opened.Error)}");
        }

        int fd = opened.Value;
        try
        {
            long started = Stopwatch.GetTimestamp();
            TimeSpan poll = s_firstPoll;
            bool waited = false;
            while (true)
            {
                Errno error = FileDescriptors.TryLockExclusive(fd);
                if (error == Errno.None)
                {
                    if (waited)
                    {
                        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                        Log.Acquired(logger, where, seconds);
                    }

                    return new NamespaceRunLock(fd);
                }

                if (error != Errno.EAGAIN)
                {
                    throw new CaptureException($"cannot lock {where} ({path}): {FileDescriptors.Describe(error)}");
                }

                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed >= timeout)
                {
                    throw new CaptureException(
                        $"another capture-init run is still changing {where} after {timeout.TotalSeconds:0.###} s (it holds the lock on {path}); " +
                        "nothing was changed: run again once it has finished, or wait longer with --lock-timeout");
                }

                if (!waited)
                {
                    Log.Waiting(logger, where, timeout.TotalSeconds);
                    waited = true;
                }

                TimeSpan left = timeout - elapsed;
                cancellationToken.WaitHandle.WaitOne(poll < left ? poll : left);
                cancellationToken.ThrowIfCancellationRequested();
                poll = poll * 2 < s_longestPoll ? poll * 2 : s_longestPoll;
            }
        }
        catch
        {
            FileDescriptors.Close(fd);
            throw;
        }
    }

    /// <summary>Releases the lock (closing the descriptor is what releases a flock).</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            FileDescriptors.Close(fd);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 430, Level = LogLevel.Information, EventName = "NamespaceLockWaiting",
            Message = "Another capture-init run is changing {Where}: waiting for it to finish (at most {TimeoutSeconds} s, --lock-timeout)")]
        public static partial void Waiting(ILogger logger, string where, double timeoutSeconds);

        [LoggerMessage(EventId = 431, Level = LogLevel.Information, EventName = "NamespaceLockAcquired",
            Message = "The other run on {Where} finished after {ElapsedSeconds:F1} s; going on")]
        public static partial void Acquired(ILogger logger, string where, double elapsedSeconds);
    }
}
