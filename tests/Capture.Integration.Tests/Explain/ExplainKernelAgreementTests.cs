using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Explain;
using Capture.Init.Nftables;
using Capture.Init.Rules;
using Capture.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Capture.Integration.Tests.Explain;

/// <summary>
/// explain's verdicts checked against the kernel: for every configuration, the plan is loaded into a pod namespace,
/// every shape is sent for real, the listeners say where it arrived (capture port with its original destination, or
/// the real destination untouched), and that must equal what explain predicts, both from the plan and from the
/// live rules read back with iptables-save.
/// </summary>
public sealed class ExplainKernelAgreementTests
{
    private static readonly TimeSpan s_arrivalDeadline = TimeSpan.FromSeconds(3);

    private readonly ITestOutputHelper _output;

    public ExplainKernelAgreementTests(ITestOutputHelper output) => _output = output;

    [RequiresRootFact(Tools = ["setpriv", "bash", "timeout", "ip6tables-restore", "ip6tables-save"])]
    public async Task Explain_EveryConfigurationAndShape_AgreesWithTheKernel()
    {
        var disagreements = new ConcurrentQueue<string>();
        var observedKinds = new ConcurrentDictionary<OutcomeKind, int>();
        int comparisons = 0;
        Stopwatch stopwatch = Stopwatch.StartNew();

        // Two configurations at a time: each has its own namespaces, so they cannot see each other's traffic.
        await Parallel.ForEachAsync(
            ExplainConfiguration.All.Select((configuration, index) => (configuration, index)),
            new ParallelOptions { MaxDegreeOfParallelism = 2 },
            async (item, _) =>
            {
                Stopwatch elapsed = Stopwatch.StartNew();
                (int compared, List<string> found, List<OutcomeKind> kinds) = await RunConfigurationAsync(item.configuration, item.index);
                foreach (OutcomeKind kind in kinds)
                {
                    observedKinds.AddOrUpdate(kind, 1, (_, count) => count + 1);
                }

                Interlocked.Add(ref comparisons, compared);
                foreach (string disagreement in found)
                {
                    disagreements.Enqueue(disagreement);
                }

                string summary = string.Join(", ", kinds.GroupBy(k => k).OrderBy(g => g.Key).Select(g => g.Count() + " " + g.Key));
                _output.WriteLine($"{item.configuration.Name}: {compared} comparisons, {found.Count} disagreements, {elapsed.ElapsedMilliseconds} ms; kernel: {summary}");
            });

        _output.WriteLine(
            $"explain vs kernel: {ExplainConfiguration.All.Count} configurations × {ConnectionShape.All.Count} shapes, "
            + $"{comparisons} comparisons (plan and live rules), {disagreements.Count} disagreements, {stopwatch.Elapsed.TotalSeconds:F1} s");
        _output.WriteLine("kernel outcomes: " + string.Join(", ", observedKinds.OrderBy(p => p.Key).Select(p => p.Value + " " + p.Key)));
        foreach (string disagreement in disagreements)
        {
            _output.WriteLine("DISAGREEMENT " + disagreement);
        }

        ExplainConfiguration.All.Should().HaveCountGreaterThanOrEqualTo(20);
        ConnectionShape.All.Should().HaveCountGreaterThanOrEqualTo(10);
        comparisons.Should().Be(ExplainConfiguration.All.Count * ConnectionShape.All.Count * 2);
        // Agreement only means something if the kernel did each of these for some shape.
        observedKinds.Keys.Should().Contain([OutcomeKind.OutboundCapture, OutcomeKind.InboundCapture, OutcomeKind.DnsCapture, OutcomeKind.TProxy, OutcomeKind.NotCaptured]);
        disagreements.Should().BeEmpty();
    }

    [RequiresRootFact(Tools = ["setpriv", "bash", "timeout", "ip6tables-restore", "ip6tables-save"])]
    public async Task Explain_AgainstOtherRulesThanTheLoadedOnes_Disagrees()
    {
        // The harness must be able to fail: load "-o 9090" but predict with the plan of plain istio-init defaults.
        ExplainConfiguration loaded = ExplainConfiguration.All.Single(c => c.Name == "-o 9090");
        ExplainConfiguration predicted = ExplainConfiguration.All[0];

        (_, List<string> disagreements, _) = await RunConfigurationAsync(loaded, 99, predicted);

        _output.WriteLine(string.Join('\n', disagreements));
        disagreements.Should().Contain(d => d.Contains("out-excluded-port-9090 (plan rules)", StringComparison.Ordinal));
        disagreements.Should().NotContain(d => d.Contains("(live rules)", StringComparison.Ordinal));
    }

    /// <summary>
    /// Loads <paramref name="configuration"/> into a fresh pod (iptables-restore, or with <paramref name="nft"/> one
    /// <c>nft -f -</c> of the nft plan), sends every shape for real and compares each arrival with explain's verdict,
    /// from the plan (of <paramref name="predictWith"/> when given) and from the live rules read back.
    /// </summary>
    internal static async Task<(int Compared, List<string> Disagreements, List<OutcomeKind> Observed)> RunConfigurationAsync(
        ExplainConfiguration configuration, int index, ExplainConfiguration? predictWith = null, bool nft = false)
    {
        RuleOptions options = configuration.Rules;
        ExplainConfiguration predicted = predictWith ?? configuration;
        RuleSet loaded = new CaptureRuleBuilder().Build(options, configuration.Host);
        RuleSet plan = new CaptureRuleBuilder().Build(predicted.Rules, predicted.Host);
        NftPlan nftPlan = new NftPlanBuilder().Build(predicted.Rules, predicted.Host);
        using ExplainLab lab = ExplainLab.Create(nft ? "hn" : "hx");
        NftState? liveNft = null;
        IptablesState liveV4 = IptablesState.Empty;
        IptablesState liveV6 = IptablesState.Empty;
        if (nft)
        {
            lab.ApplyNft(new NftPlanBuilder().Build(options, configuration.Host), loaded);
            liveNft = lab.LiveNft();
        }
        else
        {
            lab.Apply(loaded);
            liveV4 = lab.Live(IpFamily.V4);
            liveV6 = lab.Live(IpFamily.V6);
        }

        IReadOnlyList<ConnectionShape> shapes = ConnectionShape.All;
        string[] tokens = shapes.Select((_, i) => $"hx{index:D2}s{i:D2}{Random.Shared.Next(10000, 99999)}").ToArray();
        using var sending = new SemaphoreSlim(6);
        ProcessResult[] sent = await Task.WhenAll(shapes.Select(async (shape, i) =>
        {
            await sending.WaitAsync();
            try
            {
                return await Task.Run(() => lab.Send(shape, tokens[i]));
            }
            finally
            {
                sending.Release();
            }
        }));

        // Tokens travel on loopback or a veth: they arrive in milliseconds; the deadline only bounds a miss.
        Stopwatch waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < s_arrivalDeadline && !tokens.All(lab.HasSeen))
        {
            await Task.Delay(20);
        }

        var disagreements = new List<string>();
        var observedKinds = new List<OutcomeKind>();
        int compared = 0;
        for (int i = 0; i < shapes.Count; i++)
        {
            ConnectionShape shape = shapes[i];
            Connection connection = lab.Describe(shape);
            IpFamily family = PacketSimulator.FamilyOf(connection.Destination);
            PacketSimulator planned = liveNft is null
                ? new PacketSimulator(plan.State(family), family, OwnerIds.NumericOnly, predicted.Rules)
                : NftExplainRules.Simulator(nftPlan.State, family, OwnerIds.NumericOnly, predicted.Rules);
            PacketSimulator live = liveNft is null
                ? new PacketSimulator(family == IpFamily.V4 ? liveV4 : liveV6, family, OwnerIds.NumericOnly)
                : NftExplainRules.Simulator(liveNft, family, OwnerIds.NumericOnly);
            Outcome fromPlan = planned.Explain(connection).Outcome;
            Outcome fromLive = live.Explain(connection).Outcome;
            IReadOnlyCollection<Observation> seen = lab.Seen(tokens[i]);
            if (seen.Count == 1)
            {
                observedKinds.Add(Classify(seen.First(), options).Kind);
            }
            foreach ((string source, Outcome outcome) in new[] { ("plan", fromPlan), ("live", fromLive) })
            {
                compared++;
                string? problem = Compare(outcome, seen, shape, connection, options);
                if (problem is not null)
                {
                    disagreements.Add($"[{configuration.Name}] {shape.Name} ({source} rules): explain says '{outcome.Summary}', {problem}; sender: exit {sent[i].ExitCode} {sent[i].Stderr.Trim()}");
                }
            }
        }

        return (compared, disagreements, observedKinds);
    }

    /// <summary>Null when what the kernel did is what <paramref name="expected"/> says; else what differs.</summary>
    private static string? Compare(Outcome expected, IReadOnlyCollection<Observation> seen, ConnectionShape shape, Connection connection, RuleOptions options)
    {
        if (seen.Count == 0)
        {
            return expected.Kind == OutcomeKind.Dropped ? null : "but nothing arrived anywhere";
        }

        if (seen.Count > 1)
        {
            return "but it arrived " + seen.Count + " times: " + string.Join(", ", seen);
        }

        Observation observed = seen.First();
        (OutcomeKind kind, IPEndPoint? original) = Classify(observed, options);
        if (kind != expected.Kind && !(expected.Kind == OutcomeKind.Redirected && kind != OutcomeKind.NotCaptured))
        {
            return $"but the kernel did {kind} ({observed})";
        }

        if (kind == OutcomeKind.NotCaptured)
        {
            bool local = shape.Inbound || shape.Target is ShapeTarget.PodV4 or ShapeTarget.PodV6 or ShapeTarget.LoopbackV4 or ShapeTarget.LoopbackV6;
            string where = local ? "pod" : "peer";
            return observed.ListenerPort == shape.Port && observed.Namespace == where
                ? null
                : $"but it arrived at {observed.Namespace}:{observed.ListenerPort} ({observed})";
        }

        if (expected.Port != observed.ListenerPort)
        {
            return $"but the kernel sent it to port {observed.ListenerPort} ({observed})";
        }

        IPEndPoint want = new(connection.Destination, connection.DestinationPort);
        if (original is not null && !original.Equals(want))
        {
            return $"but the original destination the socket reports is {original}, not {want}";
        }

        return null;
    }

    private static (OutcomeKind Kind, IPEndPoint? Original) Classify(Observation observed, RuleOptions options)
    {
        if (observed.Namespace != "pod")
        {
            return (OutcomeKind.NotCaptured, null);
        }

        if (observed.ListenerPort == options.ProxyPort)
        {
            return (OutcomeKind.OutboundCapture, observed.OriginalDestination);
        }

        if (observed.ListenerPort == options.InboundCapturePort)
        {
            // TPROXY hands over the packet untranslated: the accepted socket's local address is the original destination.
            return observed.LocalEndPoint is { } local && local.Port != observed.ListenerPort
                ? (OutcomeKind.TProxy, local)
                : (OutcomeKind.InboundCapture, observed.OriginalDestination);
        }

        if (observed.ListenerPort == CaptureRuleBuilder.DnsProxyPort)
        {
            return (OutcomeKind.DnsCapture, observed.Udp ? null : observed.OriginalDestination);
        }

        return (OutcomeKind.NotCaptured, null);
    }
}
