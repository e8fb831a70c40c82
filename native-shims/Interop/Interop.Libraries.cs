namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static class Libraries
    {
        /// <summary>glibc; the soname resolves on every Debian/Ubuntu image we ship on.</summary>
        internal const string Libc = "libc.so.6";
    }
}
