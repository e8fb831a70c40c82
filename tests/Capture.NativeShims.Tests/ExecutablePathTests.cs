namespace Capture.NativeShims.Tests;

public class ExecutablePathTests
{
    [Fact]
    public void Find_OnPath_FirstExecutableDirectoryWins()
    {
        string sh = ExecutablePath.Find("sh", "/nonexistent-dir:/bin:/usr/bin")!;

        sh.Should().Be("/bin/sh");
    }

    [Fact]
    public void Find_NotExecutableOrMissing_IsSkippedOrNull()
    {
        string directory = Directory.CreateTempSubdirectory("capture-exepath-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "sh"), "not executable");

            ExecutablePath.Find("sh", directory + ":/bin").Should().Be("/bin/sh", "a file without the execute bit is not a candidate");
            ExecutablePath.Find("no-such-program-here", directory + ":/bin").Should().BeNull();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Find_NameWithSlash_IsTakenAsGiven()
    {
        ExecutablePath.Find("./tool", "/bin").Should().Be("./tool");
    }
}
