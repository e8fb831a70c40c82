using System.Text.RegularExpressions;

namespace Capture.Tests.Shared;

/// <summary>
/// The import graph of a program's folders, read from its sources, for the namespace-dependency tests of init/ and
/// proxy/ (linked into both test projects). A file of namespace A depends on namespace B when it names a top-level
/// type declared in B (through <c>using B;</c>, the enclosing parent namespace, or a qualified name). Program.cs, the
/// entry point, is a node of its own: nothing can import Main, so its wiring cannot close a cycle with what shares
/// its namespace.
/// </summary>
internal static partial class NamespaceGraph
{
    internal static Dictionary<string, SortedSet<string>> Read(string root)
    {
        var files = new List<(string Namespace, string Code)>();
        var types = new Dictionary<string, HashSet<string>>();
        foreach (string path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, path);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            string code = Strings().Replace(Comments().Replace(File.ReadAllText(path), ""), "\"\"");
            if (FileNamespace().Match(code) is not { Success: true } match)
            {
                continue;
            }

            string ns = match.Groups[1].Value;
            if (!types.TryGetValue(ns, out HashSet<string>? declared))
            {
                types[ns] = declared = [];
            }

            foreach (Match type in TopLevelType().Matches(code))
            {
                declared.Add(type.Groups[1].Value);
            }

            files.Add((Path.GetFileName(path) == "Program.cs" ? ns + " (Program.cs)" : ns, code));
        }

        var graph = new Dictionary<string, SortedSet<string>>();
        foreach ((string node, string code) in files)
        {
            string ns = node.Split(' ')[0];
            if (!graph.TryGetValue(node, out SortedSet<string>? edges))
            {
                graph[node] = edges = [];
            }

            var usings = new HashSet<string>(Using().Matches(code).Select(m => m.Groups[1].Value));
            string body = Using().Replace(code, "");
            var words = new HashSet<string>(Word().Matches(body).Select(m => m.Value));
            foreach ((string other, HashSet<string> declared) in types)
            {
                if (other == ns)
                {
                    continue;
                }

                bool visible = usings.Contains(other) || ns.StartsWith(other + ".", StringComparison.Ordinal);
                if ((visible && declared.Overlaps(words)) || Qualifiers(ns, other).Any(q => declared.Any(t => body.Contains(q + "." + t, StringComparison.Ordinal))))
                {
                    edges.Add(other);
                }
            }
        }

        return graph;
    }

    /// <summary>Every strongly connected component of more than one namespace, as "A &lt;-&gt; B &lt;-&gt; …".</summary>
    internal static List<string> Cycles(Dictionary<string, SortedSet<string>> graph)
    {
        var cycles = new List<string>();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        foreach (string node in graph.Keys)
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return cycles;

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (string next in graph.GetValueOrDefault(node) ?? [])
            {
                if (!index.TryGetValue(next, out int nextIndex))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string popped;
                do
                {
                    popped = stack.Pop();
                    onStack.Remove(popped);
                    component.Add(popped);
                }
                while (popped != node);

                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    cycles.Add(string.Join(" <-> ", component));
                }
            }
        }
    }

    private static IEnumerable<string> Qualifiers(string from, string to)
    {
        yield return to;
        string[] parts = to.Split('.');
        for (int i = 1; i < parts.Length; i++)
        {
            if (from.StartsWith(string.Join('.', parts[..i]) + ".", StringComparison.Ordinal))
            {
                yield return string.Join('.', parts[i..]);
            }
        }
    }

    internal static string Describe(Dictionary<string, SortedSet<string>> graph) =>
        string.Join('\n', graph.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"  {e.Key} -> {string.Join(", ", e.Value)}"));

    internal static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Capture.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Capture.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex Comments();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Strings();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"^using\s+([\w.]+)\s*;[^\n]*", RegexOptions.Multiline)]
    private static partial Regex Using();

    [GeneratedRegex(@"^(?:(?:internal|public|static|sealed|abstract|partial|readonly|file|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?)\s+([A-Z]\w*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Word();
}
