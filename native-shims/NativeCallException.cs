namespace Capture.NativeShims;

/// <summary>A system call failed at a boundary where the caller wants an exception (startup, tooling).</summary>
public sealed class NativeCallException : Exception
{
    public NativeCallException() : this("call", Errno.None) { }

    public NativeCallException(string message) : base(message) { }

    public NativeCallException(string message, Exception innerException) : base(message, innerException) { }

    public NativeCallException(string call, Errno errno) : base($"{call} failed: {errno}")
    {
        Call = call;
        Errno = errno;
    }

    /// <summary>The call that failed, e.g. <c>getsockopt(SO_ORIGINAL_DST)</c>.</summary>
    public string Call { get; } = "";

    /// <summary>errno as the call left it.</summary>
    public Errno Errno { get; }
}
