using Capture.Tests.Shared;

namespace Capture.Proxy.Tests;

/// <summary>
/// capture-proxy's folders import each other in one direction only, along the packet path (the graph is read from the
/// sources: see <see cref="NamespaceGraph"/>): the reactor knows no connection, the shared vocabulary knows nobody.
/// </summary>
public class NamespaceDependencyTests
{
    private static readonly Dictionary<string, SortedSet<string>> s_graph =
        NamespaceGraph.Read(Path.Combine(NamespaceGraph.RepositoryRoot(), "proxy"));

    [Fact]
    public void ProxyNamespaces_ImportEachOther_WithoutCycles()
    {
        List<string> cycles = NamespaceGraph.Cycles(s_graph);

        s_graph.Keys.Should().Contain(["Capture.Proxy.Reactor", "Capture.Proxy.Relaying", "Capture.Proxy.Listening", "Capture.Proxy.Engine"],
            "the sources were found and read");
        cycles.Should().BeEmpty("each folder of proxy/ imports others in one direction only; the graph:\n" + NamespaceGraph.Describe(s_graph));
    }

    [Fact]
    public void ProxyReactor_ImportsOnlyTheVocabulary()
    {
        s_graph["Capture.Proxy.Reactor"].Should().BeSubsetOf(["Capture.Proxy.Contracts"],
            "the event loops wait, dispatch and run timers, and know nothing of listeners or connections");
    }

    [Fact]
    public void ProxyContracts_ImportNoOtherFolder()
    {
        s_graph["Capture.Proxy.Contracts"].Should().BeEmpty("the shared vocabulary is imported by the others, never the reverse");
    }

    [Fact]
    public void ProxyPacketPath_ImportsOnlyDownstream()
    {
        // accept -> relay -> connect: a later step never imports an earlier one.
        s_graph["Capture.Proxy.Relaying"].Should().NotContain(["Capture.Proxy.Listening", "Capture.Proxy.Engine"]);
        s_graph["Capture.Proxy.Connecting"].Should().NotContain(["Capture.Proxy.Listening", "Capture.Proxy.Relaying", "Capture.Proxy.Reactor", "Capture.Proxy.Engine"]);
        s_graph["Capture.Proxy.Listening"].Should().NotContain("Capture.Proxy.Engine");
    }
}
