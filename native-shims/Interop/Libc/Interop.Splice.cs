using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t splice(int fd_in, off64_t *off_in, int fd_out, off64_t *off_out, size_t len, unsigned int flags);
        [LibraryImport(Libraries.Libc, EntryPoint = "splice", SetLastError = true)]
        internal static unsafe partial nint Splice(int fdIn, long* offIn, int fdOut, long* offOut, nuint length, uint flags);
    }
}
