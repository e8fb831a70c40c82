using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Capture.NativeShims;

/// <summary>
/// A <c>sockaddr_in</c> or <c>sockaddr_in6</c> held by value (28 bytes, the size of the larger), so accept and
/// getsockopt can fill it without allocating. Converts to and from <see cref="IPEndPoint"/> at the edges.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 28)]
public struct NativeSocketAddress : IEquatable<NativeSocketAddress>
{
    internal const int SizeOfIn = 16;
    internal const int SizeOfIn6 = 28;

    [FieldOffset(0)] internal Interop.Libc.SockAddrIn In;
    [FieldOffset(0)] internal Interop.Libc.SockAddrIn6 In6;

    /// <summary>The address family, or <see cref="AddressFamily.Unspecified"/> for an empty value.</summary>
    public readonly AddressFamily Family => In.sin_family switch
    {
        Interop.Libc.AF_INET => AddressFamily.InterNetwork,
        Interop.Libc.AF_INET6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unspecified,
    };

    /// <summary>The port in host byte order.</summary>
    public readonly int Port => BinaryPrimitives.ReverseEndianness(In.sin_port);

    /// <summary>The same address with <paramref name="port"/> (host byte order).</summary>
    public readonly NativeSocketAddress WithPort(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        NativeSocketAddress copy = this;
        copy.In.sin_port = BinaryPrimitives.ReverseEndianness((ushort)port);
        return copy;
    }

    /// <summary>The socklen_t for this family: 16 for IPv4, 28 for IPv6.</summary>
    internal readonly uint Length => In.sin_family == Interop.Libc.AF_INET6 ? (uint)SizeOfIn6 : SizeOfIn;

    /// <summary>Builds the native form of <paramref name="endPoint"/>.</summary>
    public static NativeSocketAddress From(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return From(endPoint.Address, endPoint.Port);
    }

    /// <summary>Builds the native form of <paramref name="address"/> and <paramref name="port"/>.</summary>
    public static unsafe NativeSocketAddress From(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        NativeSocketAddress result = default;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            result.In.sin_family = Interop.Libc.AF_INET;
            result.In.sin_port = BinaryPrimitives.ReverseEndianness((ushort)port);
            uint raw;
            address.TryWriteBytes(new Span<byte>(&raw, 4), out _);
            result.In.sin_addr = raw;
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            result.In6.sin6_family = Interop.Libc.AF_INET6;
            result.In6.sin6_port = BinaryPrimitives.ReverseEndianness((ushort)port);
            address.TryWriteBytes(new Span<byte>(result.In6.sin6_addr, 16), out _);
            result.In6.sin6_scope_id = (uint)address.ScopeId;
        }
        else
        {
            throw new ArgumentException($"Address family {address.AddressFamily} is not IPv4 or IPv6.", nameof(address));
        }

        return result;
    }

    /// <summary>The managed form; allocates, so keep it off per-byte paths.</summary>
    public readonly unsafe IPEndPoint ToIPEndPoint()
    {
        switch (In.sin_family)
        {
            case Interop.Libc.AF_INET:
                uint raw = In.sin_addr;
                return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(&raw, 4)), Port);
            case Interop.Libc.AF_INET6:
                fixed (byte* bytes = In6.sin6_addr)
                {
                    return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(bytes, 16), In6.sin6_scope_id), Port);
                }

            default:
                throw new InvalidOperationException($"Socket address family {In.sin_family} is not IPv4 or IPv6.");
        }
    }

    /// <summary>True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.</summary>
    public readonly unsafe bool IsLoopback
    {
        get
        {
            if (In.sin_family == Interop.Libc.AF_INET)
            {
                uint raw = In.sin_addr;
                return ((byte*)&raw)[0] == 127;
            }

            if (In.sin_family != Interop.Libc.AF_INET6)
            {
                return false;
            }

            fixed (byte* a = In6.sin6_addr)
            {
                ReadOnlySpan<byte> bytes = new(a, 16);
                if (bytes[..15].IndexOfAnyExcept((byte)0) < 0)
                {
                    return bytes[15] == 1; // ::1
                }

                // ::ffff:127.x.y.z
                return bytes[..10].IndexOfAnyExcept((byte)0) < 0 && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127;
            }
        }
    }

    /// <summary>True for 0.0.0.0 and ::.</summary>
    public readonly unsafe bool IsAny
    {
        get
        {
            if (In.sin_family == Interop.Libc.AF_INET)
            {
                return In.sin_addr == 0;
            }

            fixed (byte* a = In6.sin6_addr)
            {
                return In.sin_family == Interop.Libc.AF_INET6 && new ReadOnlySpan<byte>(a, 16).IndexOfAnyExcept((byte)0) < 0;
            }
        }
    }

    /// <summary>Compares family, address and port (not flow info or scope).</summary>
    public readonly unsafe bool Equals(NativeSocketAddress other)
    {
        if (In.sin_family != other.In.sin_family || In.sin_port != other.In.sin_port)
        {
            return false;
        }

        return In.sin_family != Interop.Libc.AF_INET6 ? In.sin_addr == other.In.sin_addr : SameAddress6(in this, in other);
    }

    /// <summary>Compares family and address only.</summary>
    public readonly bool SameAddress(in NativeSocketAddress other)
    {
        if (In.sin_family != other.In.sin_family)
        {
            return false;
        }

        return In.sin_family != Interop.Libc.AF_INET6 ? In.sin_addr == other.In.sin_addr : SameAddress6(in this, in other);
    }

    private static unsafe bool SameAddress6(in NativeSocketAddress a, in NativeSocketAddress b)
    {
        fixed (byte* x = a.In6.sin6_addr)
        fixed (byte* y = b.In6.sin6_addr)
        {
            return new ReadOnlySpan<byte>(x, 16).SequenceEqual(new ReadOnlySpan<byte>(y, 16));
        }
    }

    public override readonly bool Equals(object? obj) => obj is NativeSocketAddress other && Equals(other);

    public override readonly unsafe int GetHashCode()
    {
        if (In.sin_family != Interop.Libc.AF_INET6)
        {
            return HashCode.Combine(In.sin_family, In.sin_port, In.sin_addr);
        }

        fixed (byte* a = In6.sin6_addr)
        {
            HashCode hash = default;
            hash.Add(In.sin_port);
            hash.AddBytes(new ReadOnlySpan<byte>(a, 16));
            return hash.ToHashCode();
        }
    }

    public override readonly string ToString() => Family == AddressFamily.Unspecified ? "(none)" : ToIPEndPoint().ToString();

    public static bool operator ==(NativeSocketAddress left, NativeSocketAddress right) => left.Equals(right);

    public static bool operator !=(NativeSocketAddress left, NativeSocketAddress right) => !left.Equals(right);
}
