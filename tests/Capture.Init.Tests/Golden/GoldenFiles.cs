namespace Capture.Init.Tests.Golden;

/// <summary>
/// Where golden files are read from (the copy in the test output) and, with CAPTURE_UPDATE_GOLDEN=1 (see
/// scripts/update-golden.sh), written to (the source tree, found by walking up from the test assembly).
/// </summary>
internal static class GoldenFiles
{
    public const string UpdateVariable = "CAPTURE_UPDATE_GOLDEN";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static string OutputDirectory => Path.Combine(AppContext.BaseDirectory, "Golden");

    public static string SourceDirectory
    {
        get
        {
            for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                string candidate = Path.Combine(directory.FullName, "tests", "Capture.Init.Tests", "Golden");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("tests/Capture.Init.Tests/Golden not found above " + AppContext.BaseDirectory);
        }
    }

    public static string? Read(string fileName)
    {
        string path = Path.Combine(OutputDirectory, fileName);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    /// <summary>Writes (or, for null, deletes) a golden file in the source tree.</summary>
    public static void Write(string fileName, string? content)
    {
        string path = Path.Combine(SourceDirectory, fileName);
        if (content is null)
        {
            File.Delete(path);
            return;
        }

        File.WriteAllText(path, content);
    }
}
