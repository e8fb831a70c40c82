namespace Capture.Proxy.Workloads;

/// <summary>
/// The workloads file cannot be used: unreadable, not YAML, or an entry with an unknown field or a bad value. The
/// message is one line naming the file, the entry, the field and the position.
/// </summary>
internal sealed class WorkloadsFileException : Exception
{
    public WorkloadsFileException(string message) : base(message)
    {
    }

    public WorkloadsFileException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public WorkloadsFileException()
    {
    }
}
