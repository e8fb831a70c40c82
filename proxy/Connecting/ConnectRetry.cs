using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Connecting;

/// <summary>
/// Whether and when a failed upstream connect is tried again. A retry is a state of the connection with a due time on
/// its event loop's timer, not a detour through the thread pool. Transient: EADDRNOTAVAIL (ephemeral ports or the
/// passthrough source exhausted for the moment), EAGAIN, ENOBUFS/ENOMEM (memory pressure), EMFILE/ENFILE (descriptors
/// free up as connections close). Final: ECONNREFUSED (the destination answered no), ENETUNREACH/EHOSTUNREACH (no
/// route), ETIMEDOUT (the whole connect timeout is already spent), resets: the client should learn those at once, as
/// without a proxy.
/// </summary>
internal sealed class ConnectRetry
{
    private readonly long _firstDelayTicks;

    /// <param name="retries">Extra attempts after the first, 0 for none.</param>
    /// <param name="firstDelay">Delay before the first retry; it doubles per retry, with jitter.</param>
    public ConnectRetry(int retries, TimeSpan firstDelay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        Retries = retries;
        _firstDelayTicks = Math.Max(1, (long)(firstDelay.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
    }

    public int Retries { get; }

    public static bool IsTransient(Errno error) => error is Errno.EADDRNOTAVAIL or Errno.EAGAIN or Errno.ENOBUFS or Errno.ENOMEM
        or Errno.EMFILE or Errno.ENFILE;

    /// <summary>Whether attempt number <paramref name="attempts"/> (1 for the first) that failed with <paramref name="error"/> is followed by another.</summary>
    public bool ShouldRetry(Errno error, int attempts) => IsTransient(error) && attempts <= Retries;

    /// <summary>
    /// Stopwatch ticks to wait after failed attempt number <paramref name="attempts"/>: the first delay doubled per
    /// earlier retry, times a random factor of 0.5 to 1.5 so that connections that failed together do not retry together.
    /// </summary>
    public long DelayTicks(int attempts)
    {
        long delay = _firstDelayTicks << Math.Clamp(attempts - 1, 0, 16);
        return (long)(delay * (0.5 + Random.Shared.NextDouble()));
    }

    /// <summary>The metrics label for a connect that failed with <paramref name="error"/>.</summary>
    public static ConnectFailure Classify(Errno error) => error switch
    {
        Errno.ECONNREFUSED => ConnectFailure.Refused,
        Errno.ENETUNREACH or Errno.EHOSTUNREACH or Errno.ENETDOWN or Errno.EHOSTDOWN => ConnectFailure.Unreachable,
        Errno.ETIMEDOUT => ConnectFailure.Timeout,
        Errno.ECONNRESET or Errno.ECONNABORTED or Errno.EPIPE => ConnectFailure.Reset,
        Errno.EADDRNOTAVAIL or Errno.EADDRINUSE => ConnectFailure.AddressNotAvailable,
        Errno.EMFILE or Errno.ENFILE or Errno.ENOBUFS or Errno.ENOMEM or Errno.EAGAIN => ConnectFailure.ResourceExhausted,
        Errno.EACCES or Errno.EPERM => ConnectFailure.PermissionDenied,
        _ => ConnectFailure.Other,
    };
}
