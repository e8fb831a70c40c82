namespace Capture.Peer;

/// <summary>A mistake on the command line: printed as one line, exit code 2, no stack trace.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }

    public UsageException() { }

    public UsageException(string message, Exception innerException) : base(message, innerException) { }
}
