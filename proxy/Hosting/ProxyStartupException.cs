namespace Capture.Proxy.Hosting;

/// <summary>
/// The proxy cannot start for a reason the operator can fix (a port in use, a missing capability): printed as one
/// line without a stack trace, exit code 1.
/// </summary>
internal sealed class ProxyStartupException : Exception
{
    public ProxyStartupException(string message)
        : base(message)
    {
    }

    public ProxyStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
