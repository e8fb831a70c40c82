namespace Capture.Integration.Tests.Infrastructure;

/// <summary>A directory under /tmp for one test (a PATH with chosen tools, a fake program), deleted on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    private TemporaryDirectory(string path) => Path = path;

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>An empty directory.</summary>
    public static TemporaryDirectory Create() => new(Directory.CreateTempSubdirectory("cap-test-").FullName);

    /// <summary>A directory of symbolic links (same names) to <paramref name="targets"/>: a PATH that offers only those programs.</summary>
    public static TemporaryDirectory WithLinksTo(IEnumerable<string> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        TemporaryDirectory directory = Create();
        foreach (string target in targets)
        {
            File.CreateSymbolicLink(System.IO.Path.Combine(directory.Path, System.IO.Path.GetFileName(target)), target);
        }

        return directory;
    }

    /// <summary>A directory holding one executable script <paramref name="name"/> with <paramref name="content"/>.</summary>
    public static TemporaryDirectory WithScript(string name, string content)
    {
        TemporaryDirectory directory = Create();
        string path = System.IO.Path.Combine(directory.Path, name);
        File.WriteAllText(path, content.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return directory;
    }

    /// <summary>Deletes the directory and everything in it.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Already gone.
        }
    }
}
