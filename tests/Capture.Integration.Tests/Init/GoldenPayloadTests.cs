using Capture.Init.Iptables;
using Capture.Init.Rules;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>
/// Every golden payload of Capture.Init.Tests (copied to Golden/ in this output) loads through the real
/// <c>iptables-restore --noflush</c> of both backends in a fresh namespace, and iptables-save then shows exactly the
/// payload's rules: a golden file the kernel rejects, or one it reads differently than we think, fails here.
/// </summary>
public sealed class GoldenPayloadTests
{
    public static TheoryData<string, string> Payloads()
    {
        TheoryData<string, string> data = [];
        string directory = Path.Combine(AppContext.BaseDirectory, "Golden");
        foreach (string file in Directory.EnumerateFiles(directory, "*.rules").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file), "nft");
            data.Add(Path.GetFileName(file), "legacy");
        }

        return data;
    }

    [Fact]
    public void Payloads_AreCopiedToTheOutput()
    {
        Payloads().Should().HaveCountGreaterThan(2, "the Golden/*.rules files of Capture.Init.Tests are copied by the csproj");
    }

    [RequiresRootTheory(Tools = ["iptables-nft-restore", "iptables-legacy-restore", "ip6tables-nft-restore", "ip6tables-legacy-restore"])]
    [MemberData(nameof(Payloads))]
    public void Golden_LoadsThroughRealRestore_AndSaveShowsItsRules(string file, string backend)
    {
        string payload = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", file));
        IpFamily family = file.EndsWith(".ipv6.rules", StringComparison.Ordinal) ? IpFamily.V6 : IpFamily.V4;
        string restore = (family == IpFamily.V4 ? "iptables-" : "ip6tables-") + backend + "-restore";
        using TestNamespace ns = TestNamespace.Create("golden");

        ProcessResult loaded = ns.ExecWithInput(payload, restore, "--noflush");
        IptablesState expected = IptablesSaveParser.Parse(payload);
        IptablesState live = LiveRules.Read(ns, backend, family);

        loaded.ExitCode.Should().Be(0, "{0} must accept {1}: {2}", restore, file, loaded.Stderr);
        LiveRules.Ours(live, expected).Should().Be(expected, "iptables-save after loading {0}:\n{1}", file, live);
    }
}
