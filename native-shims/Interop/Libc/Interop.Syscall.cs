using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>From &lt;asm/unistd_64.h&gt; (x86-64).</summary>
        internal const int SYS_setresuid_x64 = 117;

        /// <summary>From &lt;asm/unistd_64.h&gt; (x86-64).</summary>
        internal const int SYS_setresgid_x64 = 119;

        /// <summary>From &lt;asm-generic/unistd.h&gt; (arm64).</summary>
        internal const int SYS_setresuid_arm64 = 147;

        /// <summary>From &lt;asm-generic/unistd.h&gt; (arm64).</summary>
        internal const int SYS_setresgid_arm64 = 149;

        // long syscall(long number, ...);
        // Declared with three long arguments: on x86-64 and arm64 Linux integer variadic arguments travel in the same
        // registers as fixed ones, and glibc's syscall() is an assembly stub that only moves registers.
        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        internal static partial nint Syscall(nint number, nint argument1, nint argument2, nint argument3);
    }
}
