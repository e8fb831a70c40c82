using Capture.NativeShims;

namespace Capture.Proxy.Hosting;

/// <summary>
/// The open-file limit (RLIMIT_NOFILE) checked before anything is bound: below <see cref="Minimum"/> the runtime,
/// the listeners and the admin endpoints fail at random places (once as "Could not load file or assembly"), so the
/// soft limit is raised to the hard one when that is enough, and otherwise the proxy refuses to start in one line.
/// </summary>
internal static class DescriptorLimit
{
    /// <summary>
    /// Descriptors the proxy needs before its first connection, with room for some: a framework-dependent run held
    /// about 130 at idle with 2 workers (mapped assemblies, epoll and eventfds, 8 capture and 3 admin listeners), and
    /// the relay keeps a sixteenth of the limit (at least 16) free for the probes.
    /// </summary>
    public const ulong Minimum = 256;

    /// <summary>
    /// Pure decision: the soft limit to raise to (0: leave it), or the problem line when even the hard limit is too low.
    /// </summary>
    public static (ulong RaiseTo, string? Problem) Decide(ulong soft, ulong hard)
    {
        if (soft >= Minimum)
        {
            return (0, null);
        }

        if (hard >= Minimum)
        {
            return (hard, null); // an unprivileged process may raise its soft limit up to the hard one
        }

        return (0, $"the open-file limit (ulimit -n, RLIMIT_NOFILE) is {soft} (hard limit {hard}); capture-proxy needs at least {Minimum} " +
            "descriptors: raise the container's nofile limit.");
    }

    /// <summary>Reads the limit and raises or refuses as <see cref="Decide"/> says; returns the problem line, or null to go on.</summary>
    public static string? Ensure(out ulong raisedFrom, out ulong raisedTo)
    {
        raisedFrom = raisedTo = 0;
        if (ResourceLimits.GetOpenFiles(out ulong soft, out ulong hard) != Errno.None)
        {
            return null; // unknown: EMFILE handling alone, as before
        }

        (ulong raiseTo, string? problem) = Decide(soft, hard);
        if (problem is not null || raiseTo == 0)
        {
            return problem;
        }

        Errno raised = ResourceLimits.SetOpenFiles(raiseTo, hard);
        if (raised != Errno.None)
        {
            return $"the open-file limit (ulimit -n, RLIMIT_NOFILE) is {soft} and raising it to {raiseTo} failed with {raised}; " +
                $"capture-proxy needs at least {Minimum} descriptors: raise the container's nofile limit.";
        }

        (raisedFrom, raisedTo) = (soft, raiseTo);
        return null;
    }
}
