namespace Capture.NativeShims;

/// <summary>getrlimit/setrlimit(RLIMIT_NOFILE): the descriptor limit the proxy runs under.</summary>
public static unsafe class ResourceLimits
{
    /// <summary>The soft and hard RLIMIT_NOFILE.</summary>
    public static Errno GetOpenFiles(out ulong soft, out ulong hard)
    {
        Interop.Libc.RLimit limit;
        if (Interop.Libc.GetRLimit(Interop.Libc.RLIMIT_NOFILE, &limit) != 0)
        {
            soft = hard = 0;
            return Errno.Last;
        }

        soft = limit.rlim_cur;
        hard = limit.rlim_max;
        return Errno.None;
    }

    /// <summary>Sets RLIMIT_NOFILE; raising the hard limit needs CAP_SYS_RESOURCE (EPERM otherwise).</summary>
    public static Errno SetOpenFiles(ulong soft, ulong hard)
    {
        Interop.Libc.RLimit limit = new() { rlim_cur = soft, rlim_max = hard };
        return Interop.Libc.SetRLimit(Interop.Libc.RLIMIT_NOFILE, &limit) == 0 ? Errno.None : Errno.Last;
    }
}
