using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Metrics;

/// <summary>Maps the engine's reasons onto <see cref="FailureCause"/>.</summary>
internal static class FailureCauses
{
    public static FailureCause From(ConnectFailure failure) => failure switch
    {
        ConnectFailure.Refused => FailureCause.Refused,
        ConnectFailure.Unreachable => FailureCause.Unreachable,
        ConnectFailure.Timeout => FailureCause.Timeout,
        ConnectFailure.Reset => FailureCause.Reset,
        ConnectFailure.AddressNotAvailable => FailureCause.AddressNotAvailable,
        ConnectFailure.ResourceExhausted => FailureCause.ResourceExhausted,
        ConnectFailure.PermissionDenied => FailureCause.PermissionDenied,
        _ => FailureCause.Other,
    };

    /// <summary>The failure behind a connection's end, or null when it did not end in failure (or was counted at connect).</summary>
    public static FailureCause? From(ConnectionEndReason reason) => reason switch
    {
        ConnectionEndReason.LoopRefused => FailureCause.Loop,
        ConnectionEndReason.NoOriginalDestination => FailureCause.NoOriginalDestination,
        ConnectionEndReason.Failed => FailureCause.RelayError,
        _ => null,
    };

    /// <summary>accept(2) failures: out of descriptors, or out of memory.</summary>
    public static FailureCause FromAccept(Errno error) => error switch
    {
        Errno.EMFILE or Errno.ENFILE or Errno.ENOBUFS or Errno.ENOMEM => FailureCause.ResourceExhausted,
        _ => FailureCause.Other,
    };
}
