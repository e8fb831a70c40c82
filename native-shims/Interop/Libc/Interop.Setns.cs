using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>From &lt;sched.h&gt;: the namespace type passed to setns(2) for a network namespace.</summary>
        internal const int CLONE_NEWNET = 0x40000000;

        // int setns(int fd, int nstype);
        [LibraryImport(Libraries.Libc, EntryPoint = "setns", SetLastError = true)]
        internal static partial int Setns(int fd, int nstype);
    }
}
