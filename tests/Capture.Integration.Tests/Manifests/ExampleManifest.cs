namespace Capture.Integration.Tests.Manifests;

/// <summary>One pod manifest from examples/kubernetes, read with <see cref="ManifestYaml"/>, with the parts the tests look at.</summary>
public sealed class ExampleManifest
{
    private ExampleManifest(string fileName, object? root)
    {
        FileName = fileName;
        Root = root;
    }

    public string FileName { get; }

    public object? Root { get; }

    public static string Directory { get; } = FindExamples();

    public static ExampleManifest Load(string fileName) =>
        new(fileName, ManifestYaml.Parse(File.ReadAllText(Path.Combine(Directory, fileName))));

    public Dictionary<string, object?> InitContainer(string name) => Container("initContainers", name);

    public Dictionary<string, object?> Container(string name) => Container("containers", name);

    public Dictionary<string, object?> Annotations => (Dictionary<string, object?>)ManifestYaml.At(Root, "metadata", "annotations")!;

    public static IReadOnlyList<string> Args(Dictionary<string, object?> container) =>
        ((List<object?>)container["args"]!).Select(a => (string)a!).ToList();

    private Dictionary<string, object?> Container(string list, string name) =>
        ((List<object?>)ManifestYaml.At(Root, "spec", list)!).Cast<Dictionary<string, object?>>()
            .SingleOrDefault(c => (string?)c["name"] == name)
        ?? throw new KeyNotFoundException($"{FileName}: no {list} entry named {name}");

    // The tests run from tests/Capture.Integration.Tests/bin/<config>/<tfm>/: walk up to the repository root.
    private static string FindExamples()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "examples", "kubernetes");
            if (File.Exists(Path.Combine(dir.FullName, "Capture.sln")) && System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"examples/kubernetes not found above {AppContext.BaseDirectory}");
    }
}
