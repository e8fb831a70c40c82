namespace Capture.Init.Cli;

/// <summary>Reads <c>name:password:uid:gid:…</c> lines of /etc/passwd.</summary>
internal static class PasswdFile
{
    /// <summary>The uid field of the first line for <paramref name="userName"/>, or null.</summary>
    public static string? FindUserId(IEnumerable<string> lines, string userName)
    {
        foreach (string line in lines)
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == userName && fields[2].Length > 0 && fields[2].All(char.IsAsciiDigit))
            {
                return fields[2];
            }
        }

        return null;
    }
}
