using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Capture.Proxy.Workloads;

/// <summary>
/// Reads ztunnel's local configuration YAML into <see cref="LocalConfig"/>. The node model of YamlDotNet is mapped by
/// hand, field by field, rather than with its reflection-based deserializer: that is what Native AOT can compile,
/// and it lets every unknown field and bad value be reported with the entry it belongs to and its line.
/// </summary>
internal sealed partial class LocalConfigParser
{
    private readonly string _file;

    private LocalConfigParser(string file) => _file = file;

    /// <summary>Reads and parses <paramref name="path"/>; every problem is a <see cref="WorkloadsFileException"/>.</summary>
    public static LocalConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new WorkloadsFileException($"{path}: cannot read the workloads file: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="file"/> names it in error messages.</summary>
    public static LocalConfig Parse(string text, string file) => new LocalConfigParser(file).ParseDocument(text);

    private LocalConfig ParseDocument(string text)
    {
        YamlStream stream = [];
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new WorkloadsFileException($"{_file}: not valid YAML: {ex.Message.TrimEnd('.')} (line {ex.Start.Line}, column {ex.Start.Column})", ex);
        }

        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            return LocalConfig.Empty; // an empty file: no workloads, everything passes through
        }

        if (stream.Documents.Count > 1)
        {
            throw Error("the file", "", stream.Documents[1].RootNode, "holds more than one YAML document; put everything in one");
        }

        YamlMappingNode root = Mapping(stream.Documents[0].RootNode, "the file", "");
        IReadOnlyList<Workload> workloads = [];
        IReadOnlyList<MeshService> services = [];
        IReadOnlyList<Policies.AuthorizationPolicy> policies = [];
        foreach (KeyValuePair<YamlNode, YamlNode> field in root.Children)
        {
            string name = Key(field.Key, "the file");
            switch (name)
            {
                case "workloads":
                    workloads = List(field.Value, "the file", name, ParseWorkload);
                    break;
                case "services":
                    services = List(field.Value, "the file", name, ParseService);
                    break;
                case "policies":
                    policies = List(field.Value, "the file", name, ParsePolicy);
                    break;
                default:
                    throw Error("the file", name, field.Key, "unknown field; expected workloads, services or policies");
            }
        }

        LocalConfig config = new() { Workloads = workloads, Services = services, Policies = policies };
        CheckConsistency(config, root);
        return config;
    }

    private delegate T EntryParser<out T>(YamlMappingNode entry, string where);

    private List<T> List<T>(YamlNode node, string where, string field, EntryParser<T> parse)
    {
        List<T> items = [];
        if (IsNull(node))
        {
            return items;
        }

        YamlSequenceNode sequence = Sequence(node, where, field);
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            YamlNode item = sequence.Children[i];
            string entry = field + "[" + i + "]";
            if (item is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode("name"), out YamlNode? nameNode) &&
                nameNode is YamlScalarNode { Value.Length: > 0 } named)
            {
                entry += " (" + named.Value + ")";
            }

            items.Add(parse(Mapping(item, entry, ""), entry));
        }

        return items;
    }

    private WorkloadsFileException Error(string where, string field, YamlNode node, string problem)
    {
        string what = field.Length == 0 ? where : $"{where}, field \"{field}\"";
        return new WorkloadsFileException($"{_file}: {what}: {problem} (line {node.Start.Line}, column {node.Start.Column})");
    }
}
