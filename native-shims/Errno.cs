using System.Runtime.InteropServices;

namespace Capture.NativeShims;

/// <summary>
/// Linux errno values (asm-generic/errno-base.h and asm-generic/errno.h; identical on x86-64 and arm64).
/// Read with <see cref="ErrnoExtensions"/> <c>Errno.Last</c> right after the call that failed.
/// </summary>
public enum Errno
{
    None = 0,
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    EIO = 5,
    ENXIO = 6,
    E2BIG = 7,
    EBADF = 9,
    ECHILD = 10,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    ENODEV = 19,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    ENOTTY = 25,
    ENOSPC = 28,
    ESPIPE = 29,
    EROFS = 30,
    EPIPE = 32,
    ERANGE = 34,
    ENOSYS = 38,
    ENONET = 64,
    EPROTO = 71,
    ENOTSOCK = 88,
    EDESTADDRREQ = 89,
    EMSGSIZE = 90,
    EPROTOTYPE = 91,
    ENOPROTOOPT = 92,
    EPROTONOSUPPORT = 93,
    EOPNOTSUPP = 95,
    EAFNOSUPPORT = 97,
    EADDRINUSE = 98,
    EADDRNOTAVAIL = 99,
    ENETDOWN = 100,
    ENETUNREACH = 101,
    ENETRESET = 102,
    ECONNABORTED = 103,
    ECONNRESET = 104,
    ENOBUFS = 105,
    EISCONN = 106,
    ENOTCONN = 107,
    ESHUTDOWN = 108,
    ETIMEDOUT = 110,
    ECONNREFUSED = 111,
    EHOSTDOWN = 112,
    EHOSTUNREACH = 113,
    EALREADY = 114,
    EINPROGRESS = 115,
}

/// <summary>Reads the errno the last <c>SetLastError = true</c> import saved.</summary>
public static class ErrnoExtensions
{
    extension(Errno)
    {
        /// <summary>
        /// errno of the most recent P/Invoke on this thread. Read it immediately after the failing call:
        /// logging or any other native call may overwrite it.
        /// </summary>
        public static Errno Last => (Errno)Marshal.GetLastPInvokeError();
    }
}
