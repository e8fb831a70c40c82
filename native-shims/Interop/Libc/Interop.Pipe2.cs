using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int O_NONBLOCK = 0x800;   // 04000
        internal const int O_CLOEXEC = 0x80000;  // 02000000

        // int pipe2(int pipefd[2], int flags);
        [LibraryImport(Libraries.Libc, EntryPoint = "pipe2", SetLastError = true)]
        internal static unsafe partial int Pipe2(int* pipefd, int flags);
    }
}
