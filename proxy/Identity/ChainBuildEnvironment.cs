namespace Capture.Proxy.Identity;

/// <summary>
/// What .NET's certificate chain building needs from the process environment on Linux. <c>X509Chain.Build</c> opens the
/// per-user "Disallowed" store under <c>$HOME/.dotnet/corefx/cryptography/x509stores</c>; with HOME unset and no passwd
/// entry for the UID (a sidecar as UID 1337 in a minimal image, started without HOME) every chain build throws "The
/// home directory of the current user could not be determined", and the proxy died at start-up with "this is a bug".
/// </summary>
internal static class ChainBuildEnvironment
{
    /// <summary>
    /// Sets HOME to "/" when it is unset or empty (what container runtimes set when the image names none): the store's
    /// path then points at a directory that does not exist, which reads as an empty store. Call before the first
    /// chain build; .NET reads HOME when it first needs the store. Returns whether HOME was set.
    /// </summary>
    public static bool EnsureHome()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HOME")))
        {
            return false;
        }

        Environment.SetEnvironmentVariable("HOME", "/");
        return true;
    }
}
