using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>struct timespec on 64-bit Linux: two longs.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Timespec
        {
            public long tv_sec;
            public long tv_nsec;
        }

        // int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents, const struct timespec *timeout,
        //                  const sigset_t *sigmask);   (Linux 5.11, glibc 2.35)
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_pwait2", SetLastError = true)]
        internal static unsafe partial int EpollPwait2(int epfd, void* events, int maxevents, Timespec* timeout, void* sigmask);
    }
}
