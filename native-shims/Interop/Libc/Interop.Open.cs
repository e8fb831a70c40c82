using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int O_RDONLY = 0;

        // int open(const char *pathname, int flags, ...);
        // Variadic, but without O_CREAT/O_TMPFILE the mode is never read, and every Linux ABI we ship on passes the
        // two fixed arguments of a variadic call like those of a plain one.
        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Open(string pathname, int flags);
    }
}
