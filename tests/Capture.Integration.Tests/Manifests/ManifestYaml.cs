using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Capture.Integration.Tests.Manifests;

/// <summary>
/// Reads the example manifests with YamlDotNet's node model into plain values: mappings become
/// <see cref="Dictionary{TKey, TValue}"/>, sequences <see cref="List{T}"/>, scalars strings (as written, so tests compare
/// <c>"1337"</c> whatever its YAML type). One document; more than one is refused.
/// </summary>
public static class ManifestYaml
{
    public static object? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count switch
        {
            0 => null,
            1 => Convert(stream.Documents[0].RootNode),
            _ => throw new FormatException($"{stream.Documents.Count} YAML documents; a manifest here has one"),
        };
    }

    /// <summary>Every document of a multi-document manifest (<c>---</c> between them), in order.</summary>
    public static List<object?> ParseAll(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => Convert(d.RootNode)).ToList();
    }

    /// <summary>Follows <paramref name="path"/> (string keys into mappings, int indexes into sequences).</summary>
    public static object? At(object? node, params object[] path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (object step in path)
        {
            node = (node, step) switch
            {
                (Dictionary<string, object?> map, string key) => map.TryGetValue(key, out object? value) ? value : throw new KeyNotFoundException($"no key '{key}'"),
                (List<object?> list, int index) => index < list.Count ? list[index] : throw new KeyNotFoundException($"no item {index.ToString(CultureInfo.InvariantCulture)}"),
                _ => throw new KeyNotFoundException($"cannot step into {node?.GetType().Name ?? "null"} with '{step}'"),
            };
        }

        return node;
    }

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => mapping.Children.ToDictionary(
            entry => ((YamlScalarNode)entry.Key).Value ?? "", entry => Convert(entry.Value), StringComparer.Ordinal),
        YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => throw new FormatException($"line {node.Start.Line}: unsupported YAML node {node.GetType().Name}"),
    };
}
