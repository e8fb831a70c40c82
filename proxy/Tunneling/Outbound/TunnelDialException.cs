using Capture.Proxy.Tunneling.Tls;

namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>A tunnel connection could not be made: why (for metrics) and what happened (for the log).</summary>
internal sealed class TunnelDialException : Exception
{
    public TunnelDialException(TunnelFailure failure, TlsFailure tlsFailure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        TlsFailure = tlsFailure;
    }

    public TunnelDialException()
    {
    }

    public TunnelDialException(string message) : base(message)
    {
    }

    public TunnelDialException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public TunnelFailure Failure { get; } = TunnelFailure.Connect;

    public TlsFailure TlsFailure { get; } = TlsFailure.None;
}
