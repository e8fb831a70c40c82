using System.Runtime.InteropServices;

namespace Capture.NativeShims.Namespaces;

/// <summary>
/// Runs code inside another network namespace without spawning <c>nsenter</c> or <c>ip netns exec</c>.
/// </summary>
/// <remarks>
/// The network namespace is a per-thread attribute in Linux: setns(2) with CLONE_NEWNET moves only the calling thread,
/// which is allowed in a multi-threaded process (unlike CLONE_NEWUSER or CLONE_NEWNS). The delegate therefore runs on a
/// dedicated thread that is moved first and exits afterwards, so no pool thread is ever left in the wrong namespace.
/// Sockets created on that thread stay in the namespace for their whole life, wherever they are used later, and a
/// child started from that thread with <see cref="System.Diagnostics.Process.Start()"/> inherits the namespace,
/// because the runtime forks on the calling thread.
/// </remarks>
public static class NetworkNamespace
{
    /// <summary>
    /// Runs <paramref name="action"/> on a dedicated thread inside the network namespace at
    /// <paramref name="netnsPath"/> (e.g. <c>/var/run/netns/NAME</c> or <c>/proc/PID/ns/net</c>) and returns its result.
    /// With a null path it runs inline on the calling thread, in the caller's namespace.
    /// </summary>
    /// <exception cref="IOException">The path cannot be opened or is not a network namespace; the message says which.</exception>
    public static T Run<T>(string? netnsPath, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (netnsPath is null)
        {
            return action();
        }

        T result = default!;
        Exception? failure = null;
        Thread thread = new(() =>
        {
            try
            {
                Enter(netnsPath);
                result = action();
            }
#pragma warning disable CA1031 // Rethrown on the calling thread below, with its original stack trace.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failure = exception;
            }
        })
        {
            IsBackground = true,
            Name = "netns " + netnsPath,
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return result;
    }

    /// <summary>Runs <paramref name="action"/> inside the namespace at <paramref name="netnsPath"/>; see <see cref="Run{T}"/>.</summary>
    public static void Run(string? netnsPath, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run(netnsPath, () =>
        {
            action();
            return true;
        });
    }

    /// <summary>
    /// Like <see cref="Run{T}"/>, but returns at once: the delegate runs on its own dedicated thread (in the namespace)
    /// and the task completes with its result. Meant for blocking work such as accepting a connection.
    /// </summary>
    public static Task<T> RunAsync<T>(string? netnsPath, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Thread thread = new(() =>
        {
            try
            {
                if (netnsPath is not null)
                {
                    Enter(netnsPath);
                }

                completion.SetResult(action());
            }
#pragma warning disable CA1031 // Handed to the task's awaiter.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                completion.SetException(exception);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + (netnsPath ?? "(current)"),
        };
        thread.Start();
        return completion.Task;
    }

    /// <summary>Moves the calling thread into the network namespace at <paramref name="netnsPath"/>.</summary>
    private static void Enter(string netnsPath)
    {
        // open(2) rather than File.OpenHandle: .NET takes a shared flock on what it opens for reading, which fails
        // (and would be a second lock) while capture-init holds the namespace's exclusive run lock on the same inode.
        SysResult opened = FileDescriptors.OpenReadOnly(netnsPath);
        if (!opened.IsSuccess)
        {
            throw new IOException($"cannot open network namespace {netnsPath}: {FileDescriptors.Describe(opened.Error)}");
        }

        try
        {
            int result = Interop.Libc.Setns(opened.Value, Interop.Libc.CLONE_NEWNET);
            int errno = Marshal.GetLastPInvokeError();
            if (result != 0)
            {
                // EINVAL: the file is not a network namespace; EPERM: CAP_SYS_ADMIN is missing.
                throw new IOException((Errno)errno == Errno.EINVAL
                    ? $"{netnsPath} is not a network namespace (setns: {Marshal.GetPInvokeErrorMessage(errno)})"
                    : $"setns({netnsPath}, CLONE_NEWNET) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
        finally
        {
            FileDescriptors.Close(opened.Value);
        }
    }
}
