namespace Capture.NativeShims;

/// <summary>
/// Outcome of a system call: a non-negative value (a descriptor, a byte count, a count of events) or an errno.
/// Wrappers return it instead of throwing, so the hot path classifies failures without exceptions.
/// </summary>
public readonly record struct SysResult(int Value, Errno Error)
{
    public bool IsSuccess => Error == Errno.None;

    public static SysResult Ok(int value) => new(value, Errno.None);

    public static SysResult Failed(Errno error) => new(-1, error);
}
