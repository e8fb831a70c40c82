namespace Capture.Init.Cli;

/// <summary>The real environment and /etc/passwd.</summary>
internal sealed class SystemProcessEnvironment : IProcessEnvironment
{
    private const string PasswdPath = "/etc/passwd";

    public static SystemProcessEnvironment Instance { get; } = new();

    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);

    public string? LookupUserId(string userName)
    {
        try
        {
            return PasswdFile.FindUserId(File.ReadLines(PasswdPath), userName);
        }
        catch (IOException)
        {
            return null; // no readable passwd (scratch image): istio-iptables falls back to 1337 as well
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
