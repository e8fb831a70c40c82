using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>struct ifaddrs (ifaddrs.h): the fields capture-init reads come first; the layout is the C one.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct IfAddrs
        {
            public IfAddrs* ifa_next;
            public byte* ifa_name;
            public uint ifa_flags;
            public void* ifa_addr;
            public void* ifa_netmask;
            public void* ifa_ifu;
            public void* ifa_data;
        }

        // int getifaddrs(struct ifaddrs **ifap);
        [LibraryImport(Libraries.Libc, EntryPoint = "getifaddrs", SetLastError = true)]
        internal static unsafe partial int GetIfAddrs(IfAddrs** ifap);

        // void freeifaddrs(struct ifaddrs *ifa);
        [LibraryImport(Libraries.Libc, EntryPoint = "freeifaddrs")]
        internal static unsafe partial void FreeIfAddrs(IfAddrs* ifa);
    }
}
