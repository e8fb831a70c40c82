namespace Capture.Proxy.Contracts;

/// <summary>The engine could not start (a port in use, TPROXY without CAP_NET_ADMIN). The message is one line, for the user.</summary>
internal sealed class ProxyStartException : Exception
{
    public ProxyStartException() { }

    public ProxyStartException(string message) : base(message) { }

    public ProxyStartException(string message, Exception innerException) : base(message, innerException) { }
}
