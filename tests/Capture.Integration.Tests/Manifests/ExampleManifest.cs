namespace Capture.Integration.Tests.Manifests;

/// <summary>
/// One pod manifest from examples/kubernetes, read with <see cref="ManifestYaml"/>, with the parts the tests look at.
/// A file of several documents (the HBONE pair's ServiceAccount, Secret, ConfigMap, Service and Pod) keeps them all
/// in <see cref="Documents"/>; <see cref="Root"/> is its one Pod.
/// </summary>
public sealed class ExampleManifest
{
    private ExampleManifest(string fileName, List<object?> documents)
    {
        FileName = fileName;
        Documents = documents;
        List<object?> pods = documents.Where(d => Kind(d) == "Pod").ToList();
        Root = pods.Count == 1 ? pods[0] : throw new FormatException($"{fileName}: {pods.Count} Pod documents; a manifest here has one");
    }

    public string FileName { get; }

    public IReadOnlyList<object?> Documents { get; }

    public object? Root { get; }

    public static string Directory { get; } = FindExamples();

    public static ExampleManifest Load(string fileName) =>
        new(fileName, ManifestYaml.ParseAll(File.ReadAllText(Path.Combine(Directory, fileName))));

    public static string? Kind(object? document) =>
        document is Dictionary<string, object?> map && map.TryGetValue("kind", out object? kind) ? kind as string : null;

    /// <summary>The document of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public Dictionary<string, object?> Document(string kind, string name) =>
        Documents.Where(d => Kind(d) == kind).Cast<Dictionary<string, object?>>()
            .SingleOrDefault(d => (string?)ManifestYaml.At(d, "metadata", "name") == name)
        ?? throw new KeyNotFoundException($"{FileName}: no {kind} named {name}");

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
