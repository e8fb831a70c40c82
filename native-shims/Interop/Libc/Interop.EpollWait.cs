using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_wait", SetLastError = true)]
        internal static unsafe partial int EpollWait(int epfd, void* events, int maxevents, int timeout);
    }
}
