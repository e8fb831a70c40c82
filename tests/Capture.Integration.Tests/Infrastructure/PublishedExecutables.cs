namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// The Native AOT executables <c>scripts/publish.sh</c> writes to <c>artifacts/bin</c> (or the directory in
/// <c>CAPTURE_BIN</c>). The integration tests run these, the files that ship, rather than the JIT-compiled build output:
/// a failure only the published executable has (trimming, reflection, a missing native library) then fails a test.
/// <c>scripts/test.sh</c> publishes them when they are missing or older than their sources.
/// </summary>
public static class PublishedExecutables
{
    /// <summary>Where the executables are looked for: <c>CAPTURE_BIN</c> when set, else the repository's <c>artifacts/bin</c>.</summary>
    public static string Directory { get; } = Environment.GetEnvironmentVariable("CAPTURE_BIN") is { Length: > 0 } bin
        ? Path.GetFullPath(bin)
        : Path.Combine(RepositoryRoot(), "artifacts", "bin");

    /// <summary>The published capture-init.</summary>
    public static string CaptureInit => Find("capture-init");

    /// <summary>The published capture-proxy.</summary>
    public static string CaptureProxy => Find("capture-proxy");

    /// <summary>The full path of <paramref name="name"/> in <see cref="Directory"/>; a missing file fails the test saying what to run.</summary>
    public static string Find(string name)
    {
        string path = Path.Combine(Directory, name);
        if (!File.Exists(path))
        {
            // No fallback to the build output's dll: a test that quietly ran the JIT build would prove nothing about
            // what ships.
            throw new FileNotFoundException(
                $"{name} is not in {Directory}: run scripts/publish.sh (the integration tests run the published Native AOT "
                + "executables; scripts/test.sh publishes them itself; CAPTURE_BIN points the tests at another directory)", path);
        }

        return path;
    }

    /// <summary>The repository root, recorded at build time (the test project's csproj).</summary>
    public static string RepositoryRoot() =>
        typeof(PublishedExecutables).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .First(attribute => attribute.Key == "RepositoryRoot").Value!;
}
