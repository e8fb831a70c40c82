using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Capture.NativeShims;

/// <summary>
/// Where a redirected connection was really going: <c>getsockopt(SOL_IP, SO_ORIGINAL_DST)</c> for IPv4 and
/// <c>getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST)</c> for IPv6, read from the conntrack entry of a REDIRECTed socket.
/// </summary>
public static unsafe class OriginalDestination
{
    /// <summary>
    /// Reads the pre-NAT destination of the accepted <paramref name="socket"/>. ENOENT means the connection was
    /// not NATed (it reached the listener directly).
    /// </summary>
    public static Errno TryGet(SafeHandle socket, AddressFamily family, out NativeSocketAddress destination)
    {
        ArgumentNullException.ThrowIfNull(socket);
        bool added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            return DangerousTryGet((int)socket.DangerousGetHandle(), family, out destination);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>The original destination of an accepted <see cref="Socket"/>; throws <see cref="NativeCallException"/>.</summary>
    public static IPEndPoint Get(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Errno error = TryGet(socket.SafeHandle, socket.AddressFamily, out NativeSocketAddress destination);
        return error == Errno.None
            ? destination.ToIPEndPoint()
            : throw new NativeCallException(socket.AddressFamily == AddressFamily.InterNetworkV6 ? "getsockopt(IP6T_SO_ORIGINAL_DST)" : "getsockopt(SO_ORIGINAL_DST)", error);
    }

    /// <summary>The raw-descriptor form of <see cref="TryGet"/>, for event loops that own their descriptors.</summary>
    public static Errno DangerousTryGet(int fd, AddressFamily family, out NativeSocketAddress destination)
    {
        destination = default;
        fixed (NativeSocketAddress* d = &destination)
        {
            if (family == AddressFamily.InterNetworkV6)
            {
                uint length = NativeSocketAddress.SizeOfIn6;
                return Interop.Libc.GetSockOpt(fd, Interop.Libc.SOL_IPV6, Interop.Libc.IP6T_SO_ORIGINAL_DST, d, &length) == 0 ? Errno.None : Errno.Last;
            }
            else
            {
                uint length = NativeSocketAddress.SizeOfIn;
                return Interop.Libc.GetSockOpt(fd, Interop.Libc.SOL_IP, Interop.Libc.SO_ORIGINAL_DST, d, &length) == 0 ? Errno.None : Errno.Last;
            }
        }
    }
}
