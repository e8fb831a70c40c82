using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int EPOLL_CTL_ADD = 1;
        internal const int EPOLL_CTL_DEL = 2;
        internal const int EPOLL_CTL_MOD = 3;

        internal const uint EPOLLIN = 0x001;
        internal const uint EPOLLPRI = 0x002;
        internal const uint EPOLLOUT = 0x004;
        internal const uint EPOLLERR = 0x008;
        internal const uint EPOLLHUP = 0x010;
        internal const uint EPOLLRDHUP = 0x2000;
        internal const uint EPOLLEXCLUSIVE = 1u << 28;
        internal const uint EPOLLONESHOT = 1u << 30;
        internal const uint EPOLLET = 1u << 31;

        /// <summary>struct epoll_event on x86-64: the kernel declares it __attribute__((packed)), 12 bytes.</summary>
        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        internal struct EpollEventPacked
        {
            public uint events;
            public ulong data;
        }

        /// <summary>struct epoll_event everywhere else (arm64): naturally aligned, 16 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct EpollEventAligned
        {
            public uint events;
            public ulong data;
        }

        // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_ctl", SetLastError = true)]
        internal static unsafe partial int EpollCtl(int epfd, int op, int fd, void* ev);
    }
}
