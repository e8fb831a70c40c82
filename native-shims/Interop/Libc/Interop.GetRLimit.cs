using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int RLIMIT_NOFILE = 7;

        /// <summary>struct rlimit: two rlim_t (unsigned long, 64-bit on our ABIs).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct RLimit
        {
            public ulong rlim_cur;
            public ulong rlim_max;
        }

        // int getrlimit(int resource, struct rlimit *rlim);
        [LibraryImport(Libraries.Libc, EntryPoint = "getrlimit", SetLastError = true)]
        internal static unsafe partial int GetRLimit(int resource, RLimit* rlim);
    }
}
