using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;
using Capture.Init.Tests.Fakes;

namespace Capture.Init.Tests.Golden;

/// <summary>
/// Every golden configuration goes through the whole CLI (argv and environment binding, resolv.conf, plan, dry-run) and
/// its output is compared byte for byte with the files in Golden/. Regenerate with scripts/update-golden.sh.
/// </summary>
[Collection(CliTestGroup.Name)]
public class GoldenTests
{
    [Theory]
    [MemberData(nameof(GoldenCases.Names), MemberType = typeof(GoldenCases))]
    public void DryRun_GoldenCase_MatchesGoldenFiles(string name)
    {
        GoldenCase golden = GoldenCases.Get(name);

        GoldenOutput output = GoldenRunner.Run(golden);

        CheckOrUpdate(name + ".dry-run", output.DryRun);
        CheckOrUpdate(name + ".ipv4.rules", output.Ipv4Payload);
        CheckOrUpdate(name + ".ipv6.rules", output.Ipv6Payload);
    }

    [Theory]
    [MemberData(nameof(GoldenCases.Names), MemberType = typeof(GoldenCases))]
    public void Parse_GoldenPayload_EqualsPlan(string name)
    {
        GoldenOutput output = GoldenRunner.Run(GoldenCases.Get(name));

        foreach (IpFamily family in output.Plan.Families)
        {
            string payload = IptablesRestoreRenderer.Render(output.Plan.Rules(family));
            IptablesState parsed = IptablesSaveParser.Parse(payload);

            parsed.Should().Be(output.Plan.State(family), "{0} {1} parses back to its plan", name, family);
        }
    }

    [Fact]
    public void GoldenDirectory_HasNoFilesWithoutACase()
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (GoldenCase golden in GoldenCases.All)
        {
            expected.Add(golden.Name);
        }

        string[] orphans = Directory.GetFiles(GoldenFiles.SourceDirectory)
            .Select(Path.GetFileName)
            .Where(file => file!.EndsWith(".rules", StringComparison.Ordinal) || file.EndsWith(".dry-run", StringComparison.Ordinal))
            .Where(file => !expected.Contains(file!.Split('.')[0]))
            .ToArray()!;

        orphans.Should().BeEmpty("every golden file belongs to a case in GoldenCases (stale ones are removed by update-golden.sh)");
    }

    private static void CheckOrUpdate(string fileName, string? actual)
    {
        if (GoldenFiles.Updating)
        {
            GoldenFiles.Write(fileName, actual);
            return;
        }

        string? expected = GoldenFiles.Read(fileName);
        actual.Should().Be(expected, "Golden/{0} must match byte for byte (scripts/update-golden.sh regenerates it)", fileName);
    }
}
