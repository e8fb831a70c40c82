using System.CommandLine;
using System.Text;
using Capture.Init.Configuration;
using Capture.Init.Explain;
using Capture.Init.Iptables;
using Capture.Init.Logging;
using Capture.Init.Nftables;
using Capture.Init.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Init.Cli;

/// <summary>
/// <c>capture-init explain</c>: which rules a connection meets and what happens to it, against the plan of the given
/// flags (the same flags as apply) or, with <c>--live</c>, against the rules loaded in the namespace now.
/// </summary>
internal static class ExplainCommand
{
    public static readonly Option<string?> Direction = new("--direction") { Description = "outbound (default: a process in the pod connects out) or inbound (a peer connects to the pod)." };
    public static readonly Option<string?> Source = new("--src") { Description = "Source ADDRESS[:PORT]. Default: unspecified address, port 40000." };
    public static readonly Option<string?> Destination = new("--dst") { Description = "Destination ADDRESS:PORT, e.g. 10.1.2.3:8080 or [fd00::1]:8080 (required)." };
    public static readonly Option<string?> Protocol = new("--protocol") { Description = "tcp (default) or udp." };
    public static readonly Option<string?> Uid = new("--uid") { Description = "UID of the sending process (outbound). Default 0." };
    public static readonly Option<string?> Gid = new("--gid") { Description = "GID of the sending process (outbound). Default: the --uid value." };
    public static readonly Option<string?> InInterface = new("--in-interface") { Description = "Interface an inbound connection arrives on. Default eth0." };
    public static readonly Option<string?> OutInterface = new("--out-interface") { Description = "Interface an outbound connection leaves by. Default lo for a loopback destination, else eth0 (use lo for the pod's own address)." };
    public static readonly Option<bool> Established = new("--established") { Description = "Follow a later packet of an established connection (nat is not consulted again; TPROXY's DIVERT applies)." };
    public static readonly Option<bool> Live = new("--live") { Description = "Use the rules loaded in the current (or --network-namespace) namespace, read with iptables-save, instead of the plan of these flags." };
    public static readonly Option<string?> Output = new("--output") { Description = "text (default) or json." };

    /// <summary>The subcommand's name: <c>capture-init explain</c>.</summary>
    public const string Name = "explain";

    /// <summary>What <c>capture-init explain --help</c> says about explain's own options (the capture flags are added from the catalog).</summary>
    /// <remarks>Built when asked for, not in the static constructor: Create runs on every start, apply included.</remarks>
    public static SubcommandHelp Help => new()
    {
        Summary = "why a connection is (or is not) captured: its path through the tables and chains, and the verdict.",
        Usage =
        [
            "capture-init explain --dst ADDRESS:PORT [connection options] [capture flags] [--output text|json]",
            "capture-init explain --live [--network-namespace PATH] --dst ADDRESS:PORT [connection options]",
        ],
        Introduction =
            "Give the capture flags (or environment variables) the pod's istio-init was given: explain follows the\n" +
            "connection through the rules they would install. With --live it follows it through the rules loaded in the\n" +
            "namespace now (read with the backend --force-iptables-binary names or apply would detect) and the capture\n" +
            "flags are not needed. With --native-nftables it walks Istio's nft tables instead (base chains in priority\n" +
            "order per hook), with the same verdicts. Nothing is changed. Flags that only matter when applying rules (dry\n" +
            "run, cleanup, reconcile, validation) are refused; their environment variables are ignored.",
        Sections =
        [
            new("Connection",
            [
                new("--dst ADDRESS:PORT", "Destination, e.g. 10.1.2.3:8080 or [fd00::1]:8080.", "none, required"),
                new("--direction outbound|inbound", "outbound: a process in the pod connects out; inbound: a peer connects to the pod.", "outbound"),
                new("--src ADDRESS[:PORT]", "Source of the connection.", "unspecified address, port 40000"),
                new("--protocol tcp|udp", "Transport protocol.", "tcp"),
                new("--uid UID", "UID of the sending process (outbound).", "0"),
                new("--gid GID", "GID of the sending process (outbound).", "the --uid value"),
                new("--in-interface IFACE", "Interface an inbound connection arrives on.", "eth0"),
                new("--out-interface IFACE", "Interface an outbound connection leaves by (lo for the pod's own address).", "lo for a loopback destination, else eth0"),
                new("--established", "Follow a later packet of an established connection (nat is not consulted again; TPROXY's DIVERT applies).", "false"),
            ]),
            new("Rules and output",
            [
                new("--live", "Use the rules loaded in the current (or --network-namespace) namespace, read with iptables-save (with --native-nftables: Istio's nft tables, read with nft -j list ruleset).", "false: the plan of the capture flags"),
                new("--output text|json", "Text for people, JSON for tools.", "text"),
            ]),
        ],
        ExitCodes = "0 explained (whatever the verdict), 1 any error.",
    };

    public static Command Create(CaptureCliServices services, Func<ILoggerFactory, ILiveRules>? liveRules = null)
    {
        var command = new Command(Name, "Explain what the capture rules do with one connection: the path through the tables and chains, and the verdict.");
        CaptureCliOptions.AddTo(command);
        foreach (Option option in new Option[] { Direction, Source, Destination, Protocol, Uid, Gid, InInterface, OutInterface, Established, Live, Output })
        {
            command.Options.Add(option);
        }

        command.SetAction((parseResult, cancellationToken) => CommandBoundary.RunAsync(
            parseResult, services, (options, loggerFactory, token) => RunAsync(parseResult, options, services, (liveRules ?? (f => new SystemLiveRules(f)))(loggerFactory), token),
            cancellationToken));
        return command;
    }

    private static async Task<ExitCode> RunAsync(ParseResult parseResult, CaptureOptions options, CaptureCliServices services, ILiveRules liveRules, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        Connection? connection = ConnectionArguments.Parse(
            parseResult.GetValue(Direction), parseResult.GetValue(Source), parseResult.GetValue(Destination), parseResult.GetValue(Protocol),
            parseResult.GetValue(Uid), parseResult.GetValue(Gid), parseResult.GetValue(InInterface), parseResult.GetValue(OutInterface),
            parseResult.GetValue(Established), problems);
        string output = parseResult.GetValue(Output)?.ToLowerInvariant() ?? "text";
        if (output is not ("text" or "json"))
        {
            problems.Add($"--output: '{output}' is not text or json");
        }

        if (connection is null || problems.Count > 0)
        {
            throw new CaptureException(string.Join(Environment.NewLine + "capture-init: ", problems));
        }

        IpFamily family = PacketSimulator.FamilyOf(connection.Destination);
        PacketSimulator simulator;
        string? note = null;
        if (options.Run.NativeNftables)
        {
            (simulator, note) = await NftSimulatorAsync(parseResult.GetValue(Live), options, services, family, cancellationToken).ConfigureAwait(false);
        }
        else if (parseResult.GetValue(Live))
        {
            IptablesState rules = await liveRules.ReadAsync(family, options.Run, cancellationToken).ConfigureAwait(false);
            simulator = new PacketSimulator(rules, family, OwnerIds.FromSystem());
        }
        else
        {
            HostFacts host = services.NamespaceRunner.Run(options.Run.NetworkNamespace, () => services.HostFactsReader.Read(options));
            RuleSet plan = new CaptureRuleBuilder().Build(options.Rules, host);
            if (family == IpFamily.V6 && !plan.Ipv6Enabled)
            {
                note = "IPv6 rules are off for these flags (--ipv6, or no IPv6 address in the namespace): nothing touches IPv6 traffic";
            }

            simulator = new PacketSimulator(plan.State(family), family, OwnerIds.FromSystem(), options.Rules);
        }

        Explanation explanation = simulator.Explain(connection);
        if (note is not null)
        {
            explanation = explanation with { Notes = [note, .. explanation.Notes] };
        }

        if (ConnectionArguments.TryParseEndPoint(parseResult.GetValue(Destination)!, requirePort: true, out System.Net.IPEndPoint? given) && given!.Address.IsIPv4MappedToIPv6)
        {
            explanation = explanation with
            {
                Notes = [$"{given.Address} is an IPv4-mapped address: a connection to it is IPv4 on the wire, so the IPv4 rules decide ({connection.Destination})", .. explanation.Notes],
            };
        }

        if (parseResult.GetValue(Live) && explanation.Outcome.Kind is OutcomeKind.TProxy or OutcomeKind.Diverted)
        {
            // TPROXY only works with its routing: the mark must lead to a table that routes everything to lo.
            IReadOnlyList<RouteCommand> routing = await liveRules.ReadRoutingAsync([], options.Run, cancellationToken).ConfigureAwait(false);
            string? routed = TproxyRoute(routing, explanation.Outcome.Mark, family);
            explanation = explanation with
            {
                Notes =
                [
                    .. explanation.Notes,
                    routed is null
                        ? $"routing: no ip rule sends mark {explanation.Outcome.Mark} to a table with 'local default dev lo' in this namespace: the kernel routes the marked packet as usual instead of to the proxy's socket"
                        : "routing: " + routed,
                ],
            };
        }

        if (output == "json")
        {
            using var buffer = new MemoryStream();
            ExplanationJsonWriter.Write(explanation, buffer);
            await services.Console.Out.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
        }
        else
        {
            ExplanationTextWriter.Write(explanation, services.Console.Out);
        }

        await services.Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCode.Success;
    }

    /// <summary>
    /// The walk through Istio's nft tables: the plan's, or with <paramref name="live"/> those <c>nft -j list ruleset</c>
    /// shows in the namespace. Unlike iptables, the <c>inet</c> tables meet IPv6 packets even when no IPv6 rule was
    /// planned, so there is no "IPv6 is off" short cut; iptables capture rules loaded beside the tables are named.
    /// </summary>
    private static async Task<(PacketSimulator Simulator, string? Note)> NftSimulatorAsync(
        bool live, CaptureOptions options, CaptureCliServices services, IpFamily family, CancellationToken cancellationToken)
    {
        OwnerIds owners = OwnerIds.FromSystem();
        if (!live)
        {
            HostFacts host = services.NamespaceRunner.Run(options.Run.NetworkNamespace, () => services.HostFactsReader.Read(options));
            NftPlan plan = new NftPlanBuilder().Build(options.Rules, host);
            return (NftExplainRules.Simulator(plan.State, family, owners, options.Rules), null);
        }

        var runner = new ProcessIptablesRunner(options.Run.NetworkNamespace, new Dictionary<string, string>(), NullLogger.Instance);
        NftLiveRuleset ruleset = await new NftCommands(runner).ListAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> iptables = ruleset.IptablesCaptureChains();
        string? note = ruleset.State.IsEmpty ? "no Istio nft tables are loaded in this namespace" : null;
        if (iptables.Count > 0)
        {
            note = (note is null ? "" : note + "; ") + "iptables capture rules are loaded as well (" + string.Join(", ", iptables)
                + "): they capture too; 'capture-init explain --live' without --native-nftables walks them";
        }

        return (NftExplainRules.Simulator(ruleset.State, family, owners), note);
    }

    /// <summary>The live <c>ip rule</c> and route that deliver packets marked <paramref name="mark"/> locally, as text, or null.</summary>
    private static string? TproxyRoute(IReadOnlyList<RouteCommand> routing, uint mark, IpFamily family)
    {
        foreach (RouteCommand command in routing)
        {
            if (command is IpRuleAdd rule && rule.Family == family && rule.FirewallMark == mark
                && routing.Contains(new IpRouteAddLocalDefault(family, rule.RouteTable)))
            {
                return $"'{rule}' and '{new IpRouteAddLocalDefault(family, rule.RouteTable)}' are in place";
            }
        }

        return null;
    }
}
