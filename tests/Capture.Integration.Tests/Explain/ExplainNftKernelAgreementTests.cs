using System.Collections.Concurrent;
using System.Diagnostics;
using Capture.Init.Explain;
using Capture.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Capture.Integration.Tests.Explain;

/// <summary>
/// <c>explain --native-nftables</c> checked against the kernel as <see cref="ExplainKernelAgreementTests"/> checks the
/// iptables walk: each configuration's nft plan is loaded with one <c>nft -f -</c> into a fresh pod, every shape is
/// sent for real, and where it arrived must be what the nft walk predicts, from the plan and from the tables read back
/// with <c>nft -j list ruleset</c>. The shapes include IPv6 under configurations without IPv6 rules, which the
/// <c>inet</c> tables capture anyway.
/// </summary>
public sealed class ExplainNftKernelAgreementTests
{
    private readonly ITestOutputHelper _output;

    public ExplainNftKernelAgreementTests(ITestOutputHelper output) => _output = output;

    [RequiresRootFact(Tools = ["setpriv", "bash", "timeout", "nft"])]
    public async Task ExplainNft_EveryConfigurationAndShape_AgreesWithTheKernel()
    {
        var disagreements = new ConcurrentQueue<string>();
        var observedKinds = new ConcurrentDictionary<OutcomeKind, int>();
        int comparisons = 0;
        Stopwatch stopwatch = Stopwatch.StartNew();

        await Parallel.ForEachAsync(
            ExplainConfiguration.All.Select((configuration, index) => (configuration, index)),
            new ParallelOptions { MaxDegreeOfParallelism = 2 },
            async (item, _) =>
            {
                (int compared, List<string> found, List<OutcomeKind> kinds) =
                    await ExplainKernelAgreementTests.RunConfigurationAsync(item.configuration, item.index, nft: true);
                foreach (OutcomeKind kind in kinds)
                {
                    observedKinds.AddOrUpdate(kind, 1, (_, count) => count + 1);
                }

                Interlocked.Add(ref comparisons, compared);
                foreach (string disagreement in found)
                {
                    disagreements.Enqueue(disagreement);
                }
            });

        _output.WriteLine(
            $"explain --native-nftables vs kernel: {ExplainConfiguration.All.Count} configurations × {ConnectionShape.All.Count} shapes, "
            + $"{comparisons} comparisons (plan and live tables), {disagreements.Count} disagreements, {stopwatch.Elapsed.TotalSeconds:F1} s");
        _output.WriteLine("kernel outcomes: " + string.Join(", ", observedKinds.OrderBy(p => p.Key).Select(p => p.Value + " " + p.Key)));
        foreach (string disagreement in disagreements)
        {
            _output.WriteLine("DISAGREEMENT " + disagreement);
        }

        comparisons.Should().Be(ExplainConfiguration.All.Count * ConnectionShape.All.Count * 2);
        observedKinds.Keys.Should().Contain([OutcomeKind.OutboundCapture, OutcomeKind.InboundCapture, OutcomeKind.DnsCapture, OutcomeKind.TProxy, OutcomeKind.NotCaptured]);
        disagreements.Should().BeEmpty();
    }

    [RequiresRootFact(Tools = ["setpriv", "bash", "timeout", "nft"])]
    public async Task ExplainNft_AgainstOtherTablesThanTheLoadedOnes_Disagrees()
    {
        // The nft harness must be able to fail too: load "-o 9090" but predict with the plan of istio-init's defaults.
        ExplainConfiguration loaded = ExplainConfiguration.All.Single(c => c.Name == "-o 9090");

        (_, List<string> disagreements, _) = await ExplainKernelAgreementTests.RunConfigurationAsync(loaded, 98, ExplainConfiguration.All[0], nft: true);

        _output.WriteLine(string.Join('\n', disagreements));
        disagreements.Should().Contain(d => d.Contains("out-excluded-port-9090 (plan rules)", StringComparison.Ordinal));
        disagreements.Should().NotContain(d => d.Contains("(live rules)", StringComparison.Ordinal));
    }
}
