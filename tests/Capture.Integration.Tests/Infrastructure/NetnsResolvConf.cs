namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// A pod's own resolv.conf the way <c>ip netns exec</c> provides one: it bind-mounts
/// <c>/etc/netns/&lt;name&gt;/resolv.conf</c> over <c>/etc/resolv.conf</c> for what runs in the namespace.
/// </summary>
internal static class NetnsResolvConf
{
    /// <summary>Writes <paramref name="content"/> as <paramref name="ns"/>'s resolv.conf; returns the directory to give <see cref="Remove"/>.</summary>
    public static string Write(TestNamespace ns, string content)
    {
        string directory = Path.Combine("/etc/netns", ns.Name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "resolv.conf"), content);
        return directory;
    }

    /// <summary>
    /// Removes the namespace's directory, and /etc/netns itself when no other namespace's file is left in it: the host
    /// keeps nothing of the test.
    /// </summary>
    public static void Remove(string directory)
    {
        Directory.Delete(directory, recursive: true);
        try
        {
            if (Directory.GetFileSystemEntries("/etc/netns").Length == 0)
            {
                Directory.Delete("/etc/netns");
            }
        }
        catch (IOException)
        {
            // Another test's namespace file appeared meanwhile: it removes the directory when it is done.
        }
    }
}
