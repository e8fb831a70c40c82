namespace Capture.Init.Iptables;

/// <summary>How one command ended: its command line (for messages), exit code and captured output.</summary>
internal readonly record struct CommandResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The shell's convention for "command not found", used when the program cannot be started at all.</summary>
    public const int NotFoundExitCode = 127;

    /// <summary>True when the command exited 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>"'CMD' exited N: STDERR", for errors shown to the user.</summary>
    public string Describe() => $"'{CommandLine}' exited {ExitCode}: {FirstLines(Stderr.Length > 0 ? Stderr : Stdout)}";

    /// <summary>Builds the command line shown in messages and debug logs.</summary>
    public static string Format(string file, IReadOnlyList<string> arguments)
        => arguments.Count == 0 ? file : file + " " + string.Join(' ', arguments.Select(Quote));

    private static string Quote(string argument)
        => argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '*' or '$' or '\\')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string FirstLines(string text)
    {
        // Enough of the tool's own message to act on, without flooding a one-line error.
        const int MaxLength = 600;
        string trimmed = text.Trim().ReplaceLineEndings(" | ");
        return trimmed.Length <= MaxLength ? trimmed : trimmed[..MaxLength] + " …";
    }
}
