namespace Capture.Proxy.Identity;

/// <summary>The workload credentials in <c>--certs</c> cannot be used; the message says which file and why (never the key).</summary>
internal sealed class CertificateException : Exception
{
    public CertificateException(string message) : base(message)
    {
    }

    public CertificateException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public CertificateException()
    {
    }
}
