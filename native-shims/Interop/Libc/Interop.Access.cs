using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int X_OK = 1;

        // int access(const char *pathname, int mode);
        [LibraryImport(Libraries.Libc, EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Access(string pathname, int mode);
    }
}
