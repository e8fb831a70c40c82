namespace Capture.Proxy.Metrics;

/// <summary>Why a connection (or an accept or connect attempt) failed; the <c>cause</c> label.</summary>
internal enum FailureCause
{
    /// <summary>The destination answered with a reset (ECONNREFUSED).</summary>
    ConnectionRefused,

    /// <summary>No answer within the connect timeout (ETIMEDOUT, or our own timer).</summary>
    ConnectTimeout,

    /// <summary>No route to the destination (EHOSTUNREACH, ENETUNREACH).</summary>
    Unreachable,

    /// <summary>The original destination is one of the proxy's own listeners.</summary>
    Loop,

    /// <summary>The original destination could not be read (not a redirected connection).</summary>
    NoOriginalDestination,

    /// <summary>Out of descriptors (EMFILE, ENFILE).</summary>
    DescriptorLimit,

    /// <summary>Out of kernel memory or buffers (ENOMEM, ENOBUFS).</summary>
    OutOfMemory,

    /// <summary>The relay failed after connecting (an error other than an orderly close or a reset).</summary>
    RelayError,

    /// <summary>Anything else; the log line has the errno.</summary>
    Other,
}
