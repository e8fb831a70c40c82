using Capture.Init.Nftables;
using Capture.Init.Rules;
using Capture.Init.Tests.Golden;

namespace Capture.Init.Tests.Nftables;

/// <summary>
/// Each of Istio's nftables configurations renders exactly its golden in Nftables/Golden (written from NFTABLES.md and
/// reviewed by hand; CAPTURE_UPDATE_GOLDEN=1 rewrites them), and the rendering agrees with the line, table and insert
/// counts NFTABLES.md gives for Istio's own golden.
/// </summary>
public class NftGoldenTests
{
    [Theory]
    [MemberData(nameof(NftGoldenCases.Names), MemberType = typeof(NftGoldenCases))]
    public void Render_IstioConfiguration_MatchesGoldenFile(string name)
    {
        string actual = Render(name);

        string fileName = name + ".golden";
        if (GoldenFiles.Updating)
        {
            File.WriteAllText(Path.Combine(SourceDirectory, fileName), actual);
            return;
        }

        actual.Should().Be(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Nftables", "Golden", fileName)),
            "Nftables/Golden/{0} must match byte for byte", fileName);
    }

    [Theory]
    [MemberData(nameof(NftGoldenCases.Names), MemberType = typeof(NftGoldenCases))]
    public void Render_IstioConfiguration_HasIstiosLineTableAndInsertCounts(string name)
    {
        NftGoldenCase golden = NftGoldenCases.Get(name);

        string[] lines = Render(name).Split('\n');

        lines[^1].Should().BeEmpty("every line, the last one included, ends with a newline");
        (lines.Length - 1).Should().Be(golden.Lines, "NFTABLES.md gives {0} lines for {1}", golden.Lines, name);
        lines.Count(l => l.StartsWith("insert rule ", StringComparison.Ordinal)).Should().Be(golden.Inserts);
        string tables = string.Join(' ', lines
            .Where(l => l.StartsWith("add table inet istio-proxy-", StringComparison.Ordinal))
            .Select(l => l["add table inet istio-proxy-".Length..]));
        tables.Should().Be(golden.Tables);
    }

    [Fact]
    public void GoldenDirectory_HasOneFilePerCase()
    {
        string[] files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Nftables", "Golden"), "*.golden")
            .Select(f => Path.GetFileNameWithoutExtension(f)!)
            .Order(StringComparer.Ordinal)
            .ToArray();

        files.Should().Equal(NftGoldenCases.All.Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    internal static string Render(string name)
    {
        NftPlan plan = Plan(NftGoldenCases.Get(name));
        return NftTransactionRenderer.Render(plan);
    }

    private static string SourceDirectory =>
        Path.Combine(Path.GetDirectoryName(GoldenFiles.SourceDirectory)!, "Nftables", "Golden");

    private static NftPlan Plan(NftGoldenCase golden) => new NftPlanBuilder().Build(golden.Options, golden.Host);
}
