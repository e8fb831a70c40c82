namespace Capture.NativeShims;

/// <summary>epoll event bits from sys/epoll.h, in native spelling.</summary>
[Flags]
public enum EpollEvents : uint
{
    None = 0,
    EPOLLIN = 0x001,
    EPOLLPRI = 0x002,
    EPOLLOUT = 0x004,
    EPOLLERR = 0x008,
    EPOLLHUP = 0x010,
    EPOLLRDHUP = 0x2000,
    EPOLLEXCLUSIVE = 1u << 28,
    EPOLLONESHOT = 1u << 30,
    EPOLLET = 1u << 31,
}

/// <summary>One ready descriptor reported by <see cref="Epoll.Wait"/>: the events and the caller's 64-bit token.</summary>
public readonly record struct EpollEvent(EpollEvents Events, ulong Data);
