using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int setrlimit(int resource, const struct rlimit *rlim);
        [LibraryImport(Libraries.Libc, EntryPoint = "setrlimit", SetLastError = true)]
        internal static unsafe partial int SetRLimit(int resource, RLimit* rlim);
    }
}
