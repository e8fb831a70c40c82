using System.Runtime.InteropServices;

namespace Capture.NativeShims.Namespaces;

/// <summary>
/// Changes the effective user and group of the calling thread only, for code that must act as another user for a
/// moment (a socket created now is owned by that user for <c>-m owner</c>) without forking a helper process.
/// </summary>
/// <remarks>
/// glibc's setresuid(3) changes every thread of the process (it signals them all, as POSIX requires); the raw system
/// call changes just the caller, because Linux credentials are per task. Call it only on a dedicated thread that exits
/// afterwards (e.g. inside <see cref="NetworkNamespace.RunAsync{T}"/>): real and saved ids stay unchanged, so the
/// process keeps its privileges, but nothing else should ever run on a thread with borrowed credentials.
/// </remarks>
public static class ThreadCredentials
{
    /// <summary>Sets the calling thread's effective (and file-system) group, then user, to <paramref name="gid"/> and <paramref name="uid"/>.</summary>
    /// <exception cref="IOException">The kernel refused (EPERM without CAP_SETUID/CAP_SETGID); the message says which.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x86-64 or arm64.</exception>
    public static void SetEffectiveIds(uint uid, uint gid)
    {
        (int setresuid, int setresgid) = RuntimeInformation.ProcessArchitecture switch
        {
            _ when !OperatingSystem.IsLinux() => throw new PlatformNotSupportedException("per-thread credentials need Linux"),
            Architecture.X64 => (Interop.Libc.SYS_setresuid_x64, Interop.Libc.SYS_setresgid_x64),
            Architecture.Arm64 => (Interop.Libc.SYS_setresuid_arm64, Interop.Libc.SYS_setresgid_arm64),
            Architecture other => throw new PlatformNotSupportedException($"no setresuid syscall number for {other}"),
        };

        // -1 keeps the real and saved ids: the thread could switch back, and the group goes first because changing
        // the effective uid away from 0 drops the capability that allows changing groups.
        const nint Keep = -1;
        Invoke(setresgid, Keep, (nint)gid, Keep, "setresgid", gid);
        Invoke(setresuid, Keep, (nint)uid, Keep, "setresuid", uid);
    }

    private static void Invoke(int number, nint real, nint effective, nint saved, string name, uint id)
    {
        nint result = Interop.Libc.Syscall(number, real, effective, saved);
        int errno = Marshal.GetLastPInvokeError();
        if (result != 0)
        {
            throw new IOException($"{name}(-1, {id}, -1) for this thread failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }
}
