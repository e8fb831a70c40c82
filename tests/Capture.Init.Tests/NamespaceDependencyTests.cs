using Capture.Tests.Shared;

namespace Capture.Init.Tests;

/// <summary>
/// capture-init's folders import each other in one direction only (the graph is read from the sources: see
/// <see cref="NamespaceGraph"/>). Program.cs is a node of its own, so its wiring cannot close a cycle with the
/// vocabulary (ExitCode, CaptureException) that shares its namespace.
/// </summary>
public class NamespaceDependencyTests
{
    [Fact]
    public void InitNamespaces_ImportEachOther_WithoutCycles()
    {
        Dictionary<string, SortedSet<string>> graph = NamespaceGraph.Read(Path.Combine(NamespaceGraph.RepositoryRoot(), "init"));

        List<string> cycles = NamespaceGraph.Cycles(graph);

        graph.Keys.Should().Contain(["Capture.Init.Rules", "Capture.Init.Iptables", "Capture.Init.Cli"], "the sources were found and read");
        cycles.Should().BeEmpty("each folder of init/ imports others in one direction only; the graph:\n" + NamespaceGraph.Describe(graph));
    }

    [Fact]
    public void InitRules_ImportNeitherTheCliNorTheBackends()
    {
        Dictionary<string, SortedSet<string>> graph = NamespaceGraph.Read(Path.Combine(NamespaceGraph.RepositoryRoot(), "init"));

        graph["Capture.Init.Rules"].Should().NotContain(["Capture.Init.Cli", "Capture.Init.Applying", "Capture.Init.Iptables", "Capture.Init.Explain"]);
    }
}
