using System.Runtime.CompilerServices;
using static Capture.NativeShims.Interop.Libc;

namespace Capture.NativeShims.Tests.Interop;

public class HeaderConstantsTests
{
    public static TheoryData<string, long> Constants => new()
    {
        { nameof(AF_INET), AF_INET }, { nameof(AF_INET6), AF_INET6 }, { nameof(SOCK_STREAM), SOCK_STREAM },
        { nameof(SOCK_NONBLOCK), SOCK_NONBLOCK }, { nameof(SOCK_CLOEXEC), SOCK_CLOEXEC }, { nameof(IPPROTO_TCP), IPPROTO_TCP },
        { nameof(SOL_SOCKET), SOL_SOCKET }, { nameof(SO_REUSEADDR), SO_REUSEADDR }, { nameof(SO_ERROR), SO_ERROR },
        { nameof(SO_SNDBUF), SO_SNDBUF }, { nameof(SO_RCVBUF), SO_RCVBUF }, { nameof(SO_KEEPALIVE), SO_KEEPALIVE },
        { nameof(SO_LINGER), SO_LINGER }, { nameof(SO_REUSEPORT), SO_REUSEPORT }, { nameof(SO_RCVLOWAT), SO_RCVLOWAT }, { nameof(SO_MARK), SO_MARK },
        { nameof(SOL_IP), SOL_IP }, { nameof(IP_FREEBIND), IP_FREEBIND }, { nameof(IP_TRANSPARENT), IP_TRANSPARENT }, { nameof(IP_BIND_ADDRESS_NO_PORT), IP_BIND_ADDRESS_NO_PORT },
        { nameof(SO_ORIGINAL_DST), SO_ORIGINAL_DST }, { nameof(IP6T_SO_ORIGINAL_DST), IP6T_SO_ORIGINAL_DST },
        { nameof(SOL_IPV6), SOL_IPV6 }, { nameof(IPV6_V6ONLY), IPV6_V6ONLY }, { nameof(IPV6_TRANSPARENT), IPV6_TRANSPARENT },
        { nameof(IPV6_FREEBIND), IPV6_FREEBIND }, { nameof(SOL_TCP), SOL_TCP }, { nameof(TCP_NODELAY), TCP_NODELAY },
        { nameof(SHUT_RD), SHUT_RD }, { nameof(SHUT_WR), SHUT_WR }, { nameof(SHUT_RDWR), SHUT_RDWR },
        { nameof(O_NONBLOCK), O_NONBLOCK }, { nameof(O_CLOEXEC), O_CLOEXEC }, { nameof(F_GETFL), F_GETFL },
        { nameof(F_SETFL), F_SETFL }, { nameof(F_DUPFD_CLOEXEC), F_DUPFD_CLOEXEC }, { nameof(X_OK), X_OK }, { nameof(F_SETPIPE_SZ), F_SETPIPE_SZ }, { nameof(F_GETPIPE_SZ), F_GETPIPE_SZ },
        { nameof(SpliceFlags.SPLICE_F_MOVE), (long)SpliceFlags.SPLICE_F_MOVE },
        { nameof(SpliceFlags.SPLICE_F_NONBLOCK), (long)SpliceFlags.SPLICE_F_NONBLOCK },
        { nameof(SpliceFlags.SPLICE_F_MORE), (long)SpliceFlags.SPLICE_F_MORE },
        { nameof(SpliceFlags.SPLICE_F_GIFT), (long)SpliceFlags.SPLICE_F_GIFT },
        { nameof(MSG_PEEK), MSG_PEEK }, { nameof(MSG_DONTWAIT), MSG_DONTWAIT }, { nameof(MSG_NOSIGNAL), MSG_NOSIGNAL },
        { nameof(EPOLL_CLOEXEC), EPOLL_CLOEXEC }, { nameof(EPOLL_CTL_ADD), EPOLL_CTL_ADD },
        { nameof(EPOLL_CTL_DEL), EPOLL_CTL_DEL }, { nameof(EPOLL_CTL_MOD), EPOLL_CTL_MOD },
        { nameof(EPOLLIN), EPOLLIN }, { nameof(EPOLLPRI), EPOLLPRI }, { nameof(EPOLLOUT), EPOLLOUT },
        { nameof(EPOLLERR), EPOLLERR }, { nameof(EPOLLHUP), EPOLLHUP }, { nameof(EPOLLRDHUP), EPOLLRDHUP },
        { nameof(EPOLLEXCLUSIVE), EPOLLEXCLUSIVE }, { nameof(EPOLLONESHOT), EPOLLONESHOT }, { nameof(EPOLLET), EPOLLET },
        { nameof(EFD_NONBLOCK), EFD_NONBLOCK }, { nameof(EFD_CLOEXEC), EFD_CLOEXEC }, { nameof(FIONREAD), FIONREAD },
        { nameof(RLIMIT_NOFILE), RLIMIT_NOFILE }, { nameof(O_RDONLY), O_RDONLY },
        { nameof(LOCK_EX), LOCK_EX }, { nameof(LOCK_NB), LOCK_NB },
    };

    public static TheoryData<string, long> EpollBits => new()
    {
        { nameof(EpollEvents.EPOLLIN), (long)EpollEvents.EPOLLIN }, { nameof(EpollEvents.EPOLLOUT), (long)EpollEvents.EPOLLOUT },
        { nameof(EpollEvents.EPOLLERR), (long)EpollEvents.EPOLLERR }, { nameof(EpollEvents.EPOLLHUP), (long)EpollEvents.EPOLLHUP },
        { nameof(EpollEvents.EPOLLRDHUP), (long)EpollEvents.EPOLLRDHUP }, { nameof(EpollEvents.EPOLLET), (long)EpollEvents.EPOLLET },
        { nameof(EpollEvents.EPOLLPRI), (long)EpollEvents.EPOLLPRI }, { nameof(EpollEvents.EPOLLONESHOT), (long)EpollEvents.EPOLLONESHOT },
        { nameof(EpollEvents.EPOLLEXCLUSIVE), (long)EpollEvents.EPOLLEXCLUSIVE },
    };

    [RequiresCompilerFact]
    public void Constants_MatchTheCHeaders()
    {
        List<string> mismatches = [];

        foreach (object[] row in Constants)
        {
            string name = (string)row[0];
            long value = (long)row[1];
            if (!CHeaders.Values.TryGetValue(name, out long expected) || expected != value)
            {
                mismatches.Add($"{name}: managed {value}, header {(CHeaders.Values.TryGetValue(name, out long h) ? h : "missing")}");
            }
        }

        mismatches.Should().BeEmpty();
        CHeaders.Values[nameof(SO_ORIGINAL_DST)].Should().Be(80);
    }

    [RequiresCompilerFact]
    public void EpollEvents_MatchTheCHeaders()
    {
        foreach (object[] row in EpollBits)
        {
            CHeaders.Values[(string)row[0]].Should().Be((long)row[1], (string)row[0]);
        }
    }

    [RequiresCompilerFact]
    public void Errno_EveryMemberMatchesTheCHeaders()
    {
        List<string> mismatches = [];

        foreach (Errno errno in Enum.GetValues<Errno>().Where(e => e != Errno.None))
        {
            if (!CHeaders.Values.TryGetValue(errno.ToString(), out long expected) || expected != (long)errno)
            {
                mismatches.Add(errno.ToString());
            }
        }

        mismatches.Should().BeEmpty();
    }

    [RequiresCompilerFact]
    public void StructSizes_MatchTheCHeaders()
    {
        long epollEvent = CHeaders.Values["sizeof_epoll_event"];

        CHeaders.Values["sizeof_sockaddr_in"].Should().Be(Unsafe.SizeOf<SockAddrIn>()).And.Be(16);
        CHeaders.Values["sizeof_sockaddr_in6"].Should().Be(Unsafe.SizeOf<SockAddrIn6>()).And.Be(28);
        CHeaders.Values["sizeof_linger"].Should().Be(Unsafe.SizeOf<Linger>());
        CHeaders.Values["sizeof_rlimit"].Should().Be(Unsafe.SizeOf<RLimit>());
        CHeaders.Values["sizeof_ifaddrs"].Should().Be(Unsafe.SizeOf<IfAddrs>());
        CHeaders.Values["sizeof_timespec"].Should().Be(Unsafe.SizeOf<Timespec>());
        CHeaders.Values["offsetof_ifaddrs_ifa_addr"].Should().Be(System.Runtime.InteropServices.Marshal.OffsetOf<IfAddrs>(nameof(IfAddrs.ifa_addr)).ToInt64());
        epollEvent.Should().Be(Epoll.EventSize);
        Unsafe.SizeOf<NativeSocketAddress>().Should().Be(28);
    }

    [Fact]
    public void EpollEventLayouts_AreTwelveBytesPackedAndSixteenAligned()
    {
        int packed = Unsafe.SizeOf<EpollEventPacked>();
        int aligned = Unsafe.SizeOf<EpollEventAligned>();

        packed.Should().Be(12);
        aligned.Should().Be(16);
        Epoll.EventSize.Should().Be(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture
            == System.Runtime.InteropServices.Architecture.X64 ? 12 : 16);
    }
}
