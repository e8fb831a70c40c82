using System.Diagnostics;

namespace Capture.NativeShims.Tests;

/// <summary>Compiles and runs a small C program once, printing NAME=value for every constant and size we mirror.</summary>
internal static class CHeaders
{
    private const string Program = """
        #define _GNU_SOURCE
        #include <stdio.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <unistd.h>
        #include <sys/socket.h>
        #include <sys/epoll.h>
        #include <sys/eventfd.h>
        #include <sys/ioctl.h>
        #include <sys/resource.h>
        #include <sys/file.h>
        #include <stddef.h>
        #include <time.h>
        #include <ifaddrs.h>
        #include <netinet/in.h>
        #include <netinet/tcp.h>
        #include <linux/netfilter_ipv4.h>
        #define P(x) printf(#x "=%ld\n", (long)(x))
        #define S(x) printf("sizeof_" #x "=%ld\n", (long)sizeof(struct x))
        int main(void) {
          P(AF_INET); P(AF_INET6); P(SOCK_STREAM); P(SOCK_NONBLOCK); P(SOCK_CLOEXEC); P(IPPROTO_TCP);
          P(SOL_SOCKET); P(SO_REUSEADDR); P(SO_ERROR); P(SO_SNDBUF); P(SO_RCVBUF); P(SO_KEEPALIVE); P(SO_LINGER);
          P(SO_REUSEPORT); P(SO_RCVLOWAT); P(SO_MARK); P(SOL_IP); P(IP_FREEBIND); P(IP_TRANSPARENT); P(IP_BIND_ADDRESS_NO_PORT); P(SO_ORIGINAL_DST);
          P(SOL_IPV6); P(IPV6_V6ONLY); P(IPV6_TRANSPARENT); P(IPV6_FREEBIND); P(SOL_TCP); P(TCP_NODELAY);
          P(SHUT_RD); P(SHUT_WR); P(SHUT_RDWR); P(O_NONBLOCK); P(O_CLOEXEC); P(F_GETFL); P(F_SETFL); P(F_DUPFD_CLOEXEC); P(X_OK); P(O_RDONLY); P(LOCK_EX); P(LOCK_NB);
          P(F_SETPIPE_SZ); P(F_GETPIPE_SZ); P(SPLICE_F_MOVE); P(SPLICE_F_NONBLOCK); P(SPLICE_F_MORE); P(SPLICE_F_GIFT);
          P(MSG_PEEK); P(MSG_DONTWAIT); P(MSG_NOSIGNAL); P(EPOLL_CLOEXEC); P(EPOLL_CTL_ADD); P(EPOLL_CTL_DEL);
          P(EPOLL_CTL_MOD); P(EPOLLIN); P(EPOLLPRI); P(EPOLLOUT); P(EPOLLERR); P(EPOLLHUP); P(EPOLLRDHUP);
          P(EPOLLEXCLUSIVE); P(EPOLLONESHOT); printf("EPOLLET=%lu\n", (unsigned long)(unsigned)EPOLLET);
          P(EFD_NONBLOCK); P(EFD_CLOEXEC); P(FIONREAD); P(RLIMIT_NOFILE);
          S(sockaddr_in); S(sockaddr_in6); S(epoll_event); S(linger); S(rlimit); S(ifaddrs); S(timespec);
          printf("offsetof_ifaddrs_ifa_addr=%ld\n", (long)offsetof(struct ifaddrs, ifa_addr));
          P(EPERM); P(ENOENT); P(ESRCH); P(EINTR); P(EIO); P(ENXIO); P(E2BIG); P(EBADF); P(ECHILD); P(EAGAIN);
          P(ENOMEM); P(EACCES); P(EFAULT); P(EBUSY); P(EEXIST); P(ENODEV); P(ENOTDIR); P(EISDIR); P(EINVAL);
          P(ENFILE); P(EMFILE); P(ENOTTY); P(ENOSPC); P(ESPIPE); P(EROFS); P(EPIPE); P(ERANGE); P(ENOSYS);
          P(ENONET); P(EPROTO); P(ENOTSOCK); P(EDESTADDRREQ); P(EMSGSIZE); P(EPROTOTYPE); P(ENOPROTOOPT);
          P(EPROTONOSUPPORT); P(EOPNOTSUPP); P(EAFNOSUPPORT); P(EADDRINUSE); P(EADDRNOTAVAIL); P(ENETDOWN);
          P(ENETUNREACH); P(ENETRESET); P(ECONNABORTED); P(ECONNRESET); P(ENOBUFS); P(EISCONN); P(ENOTCONN);
          P(ESHUTDOWN); P(ETIMEDOUT); P(ECONNREFUSED); P(EHOSTDOWN); P(EHOSTUNREACH); P(EALREADY); P(EINPROGRESS);
          return 0;
        }
        """;

    // IP6T_SO_ORIGINAL_DST lives in a kernel header that clashes with glibc's netinet/in.h, so it gets its own probe.
    private const string Ip6Program = """
        #include <stdio.h>
        #include <linux/netfilter_ipv6/ip6_tables.h>
        int main(void) { printf("IP6T_SO_ORIGINAL_DST=%ld\n", (long)IP6T_SO_ORIGINAL_DST); return 0; }
        """;

    private static readonly Lazy<IReadOnlyDictionary<string, long>> s_values = new(Probe);

    public static string? Compiler { get; } = FindCompiler();

    public static IReadOnlyDictionary<string, long> Values => s_values.Value;

    private static string? FindCompiler()
    {
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in new[] { "gcc", "cc" })
        {
            foreach (string dir in path)
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static IReadOnlyDictionary<string, long> Probe()
    {
        string dir = Directory.CreateTempSubdirectory("capture-headers-").FullName;
        try
        {
            Dictionary<string, long> values = new(StringComparer.Ordinal);
            foreach ((string name, string source) in new[] { ("probe", Program), ("probe6", Ip6Program) })
            {
                string c = Path.Combine(dir, name + ".c");
                string exe = Path.Combine(dir, name);
                File.WriteAllText(c, source);
                Run(Compiler!, $"-o {exe} {c}");
                foreach (string line in Run(exe, "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] parts = line.Split('=', 2);
                    values[parts[0]] = long.Parse(parts[1]);
                }
            }

            return values;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string file, string arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed: {error}");
        }

        return output;
    }
}
