using System.Net;
using System.Net.Sockets;
using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>One walk of a packet through the hooks (see <see cref="PacketSimulator"/> for the semantics).</summary>
internal sealed partial class PacketSimulator
{
    /// <summary>The state of one walk: the packet, the steps so far, the rules that decided.</summary>
    private sealed class Run
    {
        private readonly PacketSimulator _simulator;
        private readonly List<TraceStep> _steps = [];
        private readonly List<string> _notes = [];
        private readonly List<Decision> _decisions = [];

        public Run(PacketSimulator simulator, PacketState packet)
        {
            _simulator = simulator;
            Packet = packet;
        }

        public PacketState Packet { get; }

        public IReadOnlyList<TraceStep> Steps => _steps;

        public IReadOnlyList<string> Notes => _notes;

        public IReadOnlyList<Decision> Decisions => _decisions;

        /// <summary>Dropped, or taken by TPROXY: no later hook of this walk sees the packet as it was.</summary>
        public bool Finished { get; private set; }

        public void Note(Hook hook, string text) =>
            _steps.Add(new TraceStep { Kind = TraceStepKind.Note, Hook = hook, Detail = text });

        public void VisitHook(Hook hook)
        {
            int header = _steps.Count;
            _steps.Add(new TraceStep { Kind = TraceStepKind.Hook, Hook = hook, Detail = HookDescription(hook) });
            VisitTables(hook, _simulator._notation.Tables(hook));

            // A hook where no table has a chain says nothing: leave it out of the path.
            if (_steps.Count == header + 1)
            {
                _steps.RemoveAt(header);
            }
        }

        private void VisitTables(Hook hook, IReadOnlyList<Table> tables)
        {
            foreach (Table table in tables)
            {
                if (Finished)
                {
                    return;
                }

                string chain = hook.ChainName();
                ChainState? state = _simulator._rules.Find(table, chain);
                if (state is null)
                {
                    continue;
                }

                if (table == Table.Nat && !NatConsulted(hook))
                {
                    if (state.Rules.Count > 0)
                    {
                        Note(hook, Name(table, chain) + " skipped: nat is consulted only for the first packet of a connection, once");
                    }

                    continue;
                }

                if (table == Table.Raw)
                {
                    // conntrack (priority -200) runs right after raw and attaches the entry CT --zone could still change.
                    ChainResult rawResult = Traverse(hook, table, chain, 0);
                    Packet.Tracked = true;
                    ApplyPolicy(hook, state, rawResult);
                    continue;
                }

                ApplyPolicy(hook, state, Traverse(hook, table, chain, 0));
            }
        }

        private bool NatConsulted(Hook hook)
        {
            if (Packet.Connection.Established)
            {
                return false;
            }

            // On loopback re-entry both bindings exist already (made at OUTPUT and POSTROUTING).
            bool reentry = Packet.Connection.Direction == ConnectionDirection.Outbound && hook is Hook.Prerouting or Hook.Input;
            return !reentry;
        }

        private void ApplyPolicy(Hook hook, ChainState chain, ChainResult result)
        {
            if (result is not (ChainResult.Continue or ChainResult.Return))
            {
                return;
            }

            string policy = chain.Policy ?? "ACCEPT";
            _steps.Add(new TraceStep
            {
                Kind = TraceStepKind.ChainEnd,
                Hook = hook,
                Table = chain.Table,
                Chain = _simulator._notation.Chain(chain.Name),
                Detail = "end of " + _simulator._notation.Chain(chain.Name) + ": policy " + _simulator._notation.Policy(policy),
            });
            if (policy == "DROP")
            {
                Finished = true;
                _decisions.Add(new Decision(hook, chain.Table, chain.Name, null, null, DecisionKind.Drop));
            }
        }

        private ChainResult Traverse(Hook hook, Table table, string chain, int depth)
        {
            IReadOnlyList<Rule> rules = _simulator._rules.Rules(table, chain);
            _steps.Add(new TraceStep
            {
                Kind = TraceStepKind.Chain,
                Hook = hook,
                Table = table,
                Chain = _simulator._notation.Chain(chain),
                Depth = depth,
                Detail = Name(table, chain) + (rules.Count == 0 ? " (no rules)" : ""),
            });

            for (int index = 0; index < rules.Count; index++)
            {
                Rule rule = rules[index];
                if (!AllMatch(rule))
                {
                    continue;
                }

                int number = index + 1;
                ChainResult? result = Act(hook, table, chain, depth, rule, number);
                if (result is { } done)
                {
                    return done;
                }
            }

            if (depth > 0)
            {
                _steps.Add(new TraceStep
                {
                    Kind = TraceStepKind.ChainEnd,
                    Hook = hook,
                    Table = table,
                    Chain = _simulator._notation.Chain(chain),
                    Depth = depth,
                    Detail = "end of " + _simulator._notation.Chain(chain) + ", back to the calling chain",
                });
            }

            return ChainResult.Continue;
        }

        private void AddNote(string note)
        {
            if (!_notes.Contains(note))
            {
                _notes.Add(note);
            }
        }

        private bool AllMatch(Rule rule)
        {
            foreach (Match match in rule.Matches)
            {
                bool matches = MatchEvaluator.Matches(match, Packet, _simulator._owners, out string? note);
                if (note is not null && !_notes.Contains(note))
                {
                    _notes.Add(note);
                }

                if (!matches)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Applies a matched rule's target; null = continue with the next rule of the chain.</summary>
        private ChainResult? Act(Hook hook, Table table, string chain, int depth, Rule rule, int number)
        {
            void Step(string detail) => _steps.Add(new TraceStep
            {
                Kind = TraceStepKind.Rule,
                Hook = hook,
                Table = table,
                Chain = _simulator._notation.Chain(chain),
                RuleNumber = number,
                RuleText = _simulator._notation.Rule(rule),
                Depth = depth,
                Detail = detail,
            });

            void Decide(DecisionKind kind) => _decisions.Add(new Decision(hook, table, chain, number, rule, kind));

            switch (rule.Target)
            {
                case JumpTarget jump when _simulator._rules.Find(table, jump.Chain) is not null:
                    Step("jump to " + _simulator._notation.Chain(jump.Chain));
                    if (depth + 1 >= MaxDepth)
                    {
                        _notes.Add("chains nest deeper than " + MaxDepth + " at " + _simulator._notation.Chain(jump.Chain) + ": stopped following");
                        return null;
                    }

                    _decisions.Add(new Decision(hook, table, chain, number, rule, DecisionKind.Jump));
                    ChainResult nested = Traverse(hook, table, jump.Chain, depth + 1);
                    // RETURN (or the end) of the called chain resumes this one at the next rule.
                    return nested is ChainResult.Continue or ChainResult.Return ? null : nested;

                case JumpTarget jump:
                    Step("jump to " + _simulator._notation.Chain(jump.Chain) + ", which does not exist: ignored");
                    _notes.Add("rule jumps to missing chain " + _simulator._notation.Chain(jump.Chain));
                    return null;

                case VerdictTarget { Verdict: Verdict.Return }:
                    Step(depth > 0 ? "RETURN to the calling chain" : "RETURN: end of " + _simulator._notation.Chain(chain) + ", policy applies");
                    Decide(DecisionKind.Return);
                    return ChainResult.Return;

                case VerdictTarget { Verdict: Verdict.Accept }:
                    Step("ACCEPT: leaves the " + _simulator._notation.Table(table) + " table");
                    Decide(DecisionKind.Accept);
                    return ChainResult.Accept;

                case VerdictTarget { Verdict: Verdict.Drop }:
                    Step("DROP");
                    Decide(DecisionKind.Drop);
                    Finished = true;
                    return ChainResult.Drop;

                case RedirectTarget redirect:
                    return Redirect(hook, table, redirect, Step, Decide);

                case TProxyTarget tproxy:
                    Packet.Mark = (Packet.Mark & ~tproxy.Mask) ^ tproxy.Mark;
                    Step("TPROXY to port " + tproxy.Port + ", mark " + Packet.Mark);
                    AddNote("xt_TPROXY drops the packet when no socket with IP_TRANSPARENT listens on port " + tproxy.Port);
                    Decide(DecisionKind.TProxy);
                    Finished = true;
                    return ChainResult.Accept;

                case MarkTarget mark:
                    Packet.Mark = mark.Mark;
                    Step("MARK set to " + mark.Mark);
                    return null;

                case ConnmarkTarget { Action: ConnmarkAction.SaveMark }:
                    Packet.ConnectionMark = Packet.Mark;
                    Step("CONNMARK: connection mark = packet mark " + Packet.Mark);
                    return null;

                case ConnmarkTarget:
                    Packet.Mark = Packet.ConnectionMark;
                    Step("CONNMARK: packet mark = connection mark " + Packet.ConnectionMark);
                    return null;

                // xt_CT attaches a template to the skb and returns early when one is attached already: the first CT wins.
                case CtZoneTarget zone when !Packet.Tracked && Packet.Zone is null:
                    Packet.Zone = zone.Zone;
                    Step("CT: conntrack zone " + zone.Zone);
                    return null;

                case CtZoneTarget zone:
                    Step("CT --zone " + zone.Zone + ": no effect, " + (Packet.Tracked ? "the connection is already tracked" : "an earlier CT already chose zone " + Packet.Zone));
                    return null;

                default:
                    return Unknown(hook, rule, Step);
            }
        }

        private ChainResult? Redirect(Hook hook, Table table, RedirectTarget redirect, Action<string> step, Action<DecisionKind> decide)
        {
            if (table != Table.Nat || Packet.Connection.Protocol is not (TransportProtocol.Tcp or TransportProtocol.Udp))
            {
                step("REDIRECT outside nat: ignored");
                return null;
            }

            // nf_nat_redirect: locally generated → loopback; arriving → the receiving interface's primary address.
            if (hook == Hook.Output)
            {
                Packet.Destination = Packet.Connection.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
                Packet.OutInterface = Connection.LoopbackInterface;
            }

            Packet.DestinationPort = redirect.Port;
            Packet.DestinationNatDone = true;
            step("REDIRECT to " + MatchEvaluator.Format(Packet.Destination, redirect.Port));
            decide(DecisionKind.Redirect);
            return ChainResult.Accept;
        }

        private ChainResult? Unknown(Hook hook, Rule rule, Action<string> step)
        {
            string name = rule.Target is UnknownTarget { Tokens.Count: >= 2 } unknown ? unknown.Tokens[1] : rule.Target.ToString();
            switch (name)
            {
                case "LOG" or "NFLOG" or "TRACE" or "NOTRACK" or "TCPMSS":
                    step(name + " (does not change the path)");
                    return null;
                case "REJECT":
                    step("REJECT");
                    _decisions.Add(new Decision(hook, rule.Table, rule.Chain, null, rule, DecisionKind.Drop));
                    Finished = true;
                    return ChainResult.Drop;
                default:
                    step(name + ": not simulated, assumed to let the packet continue");
                    _notes.Add("target " + name + " is not simulated");
                    return null;
            }
        }

        private string Name(Table table, string chain) => _simulator._notation.Table(table) + " " + _simulator._notation.Chain(chain);

        private static string HookDescription(Hook hook) => hook switch
        {
            Hook.Output => "OUTPUT hook (locally generated)",
            Hook.Postrouting => "POSTROUTING hook",
            Hook.Prerouting => "PREROUTING hook (arriving)",
            _ => "INPUT hook (local delivery)",
        };
    }
}
