using System.Runtime.CompilerServices;

namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// Many of these tests run ip, iptables and capture-init synchronously (<see cref="ProcessRunner"/>), holding a
/// thread-pool thread for each process, while other tests in parallel drive sockets with async continuations. On a
/// 2-core machine the pool starts with 2 threads and adds about one a second once they are all blocked, so a test
/// server's Task.Delay could wake seconds late: a SIGTERM drain test once saw its server send 9 of 10 chunks in 5.4 s
/// instead of 2 s. A higher floor lets the pool grow at once instead.
/// </summary>
internal static class ThreadPoolWarmup
{
    [ModuleInitializer]
    internal static void RaiseMinimumThreads()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }
}
