using System.Net;
using Capture.Init.Configuration;

namespace Capture.Init.Rules;

internal sealed partial class CaptureRuleBuilder
{
    private sealed partial class Plan
    {
        private static readonly ProtocolMatch s_tcp = ProtocolMatch.Tcp;
        private static readonly ProtocolMatch s_udp = ProtocolMatch.Udp;
        private static readonly OutInterfaceMatch s_outLoopback = OutInterfaceMatch.Loopback;
        private static readonly VerdictTarget s_return = VerdictTarget.Return;

        // 2. Interfaces fully bypassed: before anything else in the built-in chains, so nothing below sees their traffic.
        private void ExcludeInterfaces()
        {
            foreach (string name in _options.ExcludeInterfaces)
            {
                Both(Table.Nat, ChainNames.Prerouting, [new InInterfaceMatch(name)], s_return);
                Both(Table.Nat, ChainNames.Output, [new OutInterfaceMatch(name)], s_return);
            }

            if (_tproxy)
            {
                foreach (string name in _options.ExcludeInterfaces)
                {
                    Both(Table.Mangle, ChainNames.Prerouting, [new InInterfaceMatch(name)], s_return);
                    Both(Table.Mangle, ChainNames.Output, [new OutInterfaceMatch(name)], s_return);
                }
            }
        }

        // 3. Traffic arriving on a kube-virt interface is a VM's outbound traffic: never inbound-captured.
        private void KubeVirtInterfacesReturn()
        {
            foreach (string name in _options.KubeVirtInterfaces)
            {
                Both(Table.Nat, ChainNames.Prerouting, [new InInterfaceMatch(name)], s_return, insertPosition: 1);
            }
        }

        // 4.
        private void DropInvalid()
        {
            if (!_options.DropInvalid)
            {
                return;
            }

            Both(Table.Mangle, ChainNames.Prerouting, [new ConntrackStateMatch(ConntrackStates.Invalid)], new JumpTarget(ChainNames.Drop));
            Both(Table.Mangle, ChainNames.Drop, [], VerdictTarget.Drop);
        }

        // 5. Chains every configuration has, even with no inbound capture (ISTIO_OUTPUT jumps to both redirect chains).
        private void CommonChains()
        {
            Both(Table.Nat, ChainNames.Inbound, [s_tcp, new DestinationPortMatch(_options.InboundTunnelPort)], s_return);
            Both(Table.Nat, ChainNames.Redirect, [s_tcp], new RedirectTarget(_options.ProxyPort));
            Both(Table.Nat, ChainNames.InRedirect, [s_tcp], new RedirectTarget(_options.InboundCapturePort));
        }

        // 6.
        private void Inbound()
        {
            if (!InboundCaptured)
            {
                return;
            }

            if (_tproxy)
            {
                Both(Table.Mangle, ChainNames.Divert, [], new MarkTarget(_tproxyMark));
                Both(Table.Mangle, ChainNames.Divert, [], VerdictTarget.Accept);
                Both(family => new Rule(Table.Mangle, ChainNames.TProxy,
                    [new DestinationMatch(Loopback(family), Negated: true), s_tcp],
                    new TProxyTarget(_tproxyMark, _options.InboundCapturePort)));
            }

            Table table = _tproxy ? Table.Mangle : Table.Nat;
            Both(table, ChainNames.Prerouting, [s_tcp], new JumpTarget(ChainNames.Inbound));
            var established = new ConntrackStateMatch(ConntrackStates.Related | ConntrackStates.Established);
            if (_options.InboundAllPorts)
            {
                foreach (int port in _options.LocalExcludePorts)
                {
                    Both(table, ChainNames.Inbound, [s_tcp, new DestinationPortMatch(port)], s_return);
                }

                if (_tproxy)
                {
                    Both(table, ChainNames.Inbound, [s_tcp, established], new JumpTarget(ChainNames.Divert));
                    Both(table, ChainNames.Inbound, [s_tcp], new JumpTarget(ChainNames.TProxy));
                }
                else
                {
                    Both(table, ChainNames.Inbound, [s_tcp], new JumpTarget(ChainNames.InRedirect));
                }

                return;
            }

            foreach (int port in _options.InboundPorts)
            {
                var dport = new DestinationPortMatch(port);
                if (_tproxy)
                {
                    Both(table, ChainNames.Inbound, [s_tcp, dport, established], new JumpTarget(ChainNames.Divert));
                    Both(table, ChainNames.Inbound, [s_tcp, dport], new JumpTarget(ChainNames.TProxy));
                }
                else
                {
                    Both(table, ChainNames.Inbound, [s_tcp, dport], new JumpTarget(ChainNames.InRedirect));
                }
            }
        }

        // 7.
        private void OutputJump() =>
            Both(Table.Nat, ChainNames.Output, [], new JumpTarget(ChainNames.OutputChain));

        // 8.
        private void OutboundExcludedPorts()
        {
            foreach (int port in _options.OutboundExcludePorts)
            {
                Both(Table.Nat, ChainNames.OutputChain, [s_tcp, new DestinationPortMatch(port)], s_return);
                Both(Table.Nat, ChainNames.OutputChain, [s_udp, new DestinationPortMatch(port)], s_return);
            }
        }

        // 9. The proxy's inbound passthrough connections (source 127.0.0.6 / ::6) go out untouched.
        private void InboundPassthrough() =>
            Both(family => new Rule(Table.Nat, ChainNames.OutputChain,
                [s_outLoopback, new SourceMatch(Passthrough(family))], s_return));

        // 10 (UIDs) and 11 (GIDs).
        private void ProxyOwners(OwnerKind kind, IReadOnlyList<string> ids)
        {
            // A loopback CIDR in -i means the user wants app-to-itself traffic over lo captured, so rule (b) is left out.
            bool loopbackIncluded = ContainsLoopback(_includeV4) || ContainsLoopback(_includeV6);
            foreach (string id in ids)
            {
                // (a) The proxy calling a service VIP that resolves back to this pod: send it to the inbound listener.
                Both(family =>
                {
                    List<Match> matches = [s_outLoopback, new DestinationMatch(Loopback(family), Negated: true), s_tcp];
                    if (_redirectDns && kind == OwnerKind.Uid)
                    {
                        // DNS from the agent to a server on this pod's own address must not loop through inbound.
                        matches.Add(new MultiportDestinationMatch([DnsPort, _options.InboundTunnelPort], Negated: true));
                    }
                    else
                    {
                        matches.Add(new DestinationPortMatch(_options.InboundTunnelPort, Negated: true));
                    }

                    matches.Add(new OwnerMatch(kind, id));
                    return new Rule(Table.Nat, ChainNames.OutputChain, matches, new JumpTarget(ChainNames.InRedirect));
                });

                // (b) An application talking to itself over lo is not captured, except TCP DNS to a local server.
                if (!loopbackIncluded)
                {
                    Both(Table.Nat, ChainNames.OutputChain,
                        _redirectDns
                            ? [s_outLoopback, s_tcp, new DestinationPortMatch(DnsPort, Negated: true), new OwnerMatch(kind, id, Negated: true)]
                            : [s_outLoopback, new OwnerMatch(kind, id, Negated: true)],
                        s_return);
                }

                // (c) The proxy's own outbound traffic is never captured again (no loop).
                Both(Table.Nat, ChainNames.OutputChain, [new OwnerMatch(kind, id)], s_return);
            }
        }

        // 12.
        private void OwnerGroups()
        {
            if (_options.OwnerGroupsInclude.Count > 0)
            {
                var matches = new List<Match>(_options.OwnerGroupsInclude.Count);
                foreach (string group in _options.OwnerGroupsInclude)
                {
                    matches.Add(new OwnerMatch(OwnerKind.Gid, group, Negated: true));
                }

                Both(Table.Nat, ChainNames.OutputChain, matches, s_return);
                return;
            }

            foreach (string group in _options.OwnerGroupsExclude)
            {
                Both(Table.Nat, ChainNames.OutputChain, [new OwnerMatch(OwnerKind.Gid, group)], s_return);
            }
        }

        // 14.
        private void OutboundExcludedCidrs()
        {
            Both(family => new Rule(Table.Nat, ChainNames.OutputChain, [new DestinationMatch(Loopback(family))], s_return));
            ForEachFamily(_excludeV4, _excludeV6, (family, cidr) =>
                new Rule(Table.Nat, ChainNames.OutputChain, [new DestinationMatch(cidr)], s_return));
        }

        // 15.
        private void OutboundPorts()
        {
            foreach (int port in _options.OutboundPorts)
            {
                Both(Table.Nat, ChainNames.OutputChain, [s_tcp, new DestinationPortMatch(port)], new JumpTarget(ChainNames.Redirect));
            }
        }

        // 16.
        private void OutboundInclude()
        {
            var redirect = new JumpTarget(ChainNames.Redirect);
            if (_options.OutboundAllCidrs)
            {
                Both(Table.Nat, ChainNames.OutputChain, [], redirect);
                foreach (string name in _options.KubeVirtInterfaces)
                {
                    Both(Table.Nat, ChainNames.Prerouting, [new InInterfaceMatch(name)], redirect, insertPosition: 1);
                }

                return;
            }

            ForEachFamily(_includeV4, _includeV6, (family, cidr) =>
            {
                foreach (string name in _options.KubeVirtInterfaces)
                {
                    Add(family, new Rule(Table.Nat, ChainNames.Prerouting,
                        [new InInterfaceMatch(name), new DestinationMatch(cidr)], redirect, insertPosition: 1));
                }

                return new Rule(Table.Nat, ChainNames.OutputChain, [new DestinationMatch(cidr)], redirect);
            });
        }

        // 17. TPROXY marks: keep the mark on the connection so replies route back to the proxy's transparent socket.
        private void TProxyMarks()
        {
            if (!_tproxy)
            {
                return;
            }

            Both(Table.Mangle, ChainNames.Prerouting, [s_tcp, new MarkMatch(_tproxyMark)], new ConnmarkTarget(ConnmarkAction.SaveMark));
            Both(Table.Mangle, ChainNames.Output, [s_tcp, s_outLoopback, new MarkMatch(_tproxyMark)], s_return);
            foreach ((OwnerKind kind, IReadOnlyList<string> ids) in new[] { (OwnerKind.Uid, _options.ProxyUids), (OwnerKind.Gid, _options.ProxyGids) })
            {
                foreach (string id in ids)
                {
                    Both(family => new Rule(Table.Mangle, ChainNames.Output,
                        [new DestinationMatch(Loopback(family), Negated: true), s_tcp, s_outLoopback, new OwnerMatch(kind, id)],
                        new MarkTarget(OutboundMark)));
                }
            }

            Both(Table.Mangle, ChainNames.Output, [s_tcp, new ConnmarkMatch(_tproxyMark)], new ConnmarkTarget(ConnmarkAction.RestoreMark));
            Both(Table.Mangle, ChainNames.Inbound, [s_tcp, new MarkMatch(_tproxyMark)], s_return, insertPosition: 1);
            Both(family => new Rule(Table.Mangle, ChainNames.Inbound,
                [s_tcp, new SourceMatch(Passthrough(family)), new InInterfaceMatch("lo")], s_return, insertPosition: 2));
            Both(Table.Mangle, ChainNames.Inbound,
                [s_tcp, new InInterfaceMatch("lo"), new MarkMatch(OutboundMark, Negated: true)], s_return, insertPosition: 3);
        }

        // 17, routing. ::6 goes on lo whenever IPv6 is on (as istio-iptables does): rule 9 and the proxy's inbound
        // passthrough use it as a source address in every mode.
        private void Routing()
        {
            if (_ipv6)
            {
                _routes.Add(new IpAddressAdd(IpFamily.V6, Ipv6Passthrough));
            }

            if (!_tproxy || !InboundCaptured)
            {
                return;
            }

            foreach (IpFamily family in _ipv6 ? new[] { IpFamily.V4, IpFamily.V6 } : new[] { IpFamily.V4 })
            {
                _routes.Add(new IpRuleAdd(family, _tproxyMark, _options.TProxyRouteTable));
                _routes.Add(new IpRouteAddLocalDefault(family, _options.TProxyRouteTable));
            }
        }

        private bool InboundCaptured => _options.InboundAllPorts || _options.InboundPorts.Count > 0;

        private IPNetwork Loopback(IpFamily family) => family == IpFamily.V4 ? _options.Ipv4LoopbackCidr : Ipv6Loopback;

        private static IPNetwork Passthrough(IpFamily family) => family == IpFamily.V4 ? Ipv4Passthrough : Ipv6Passthrough;

        // istio-iptables' HasLoopBackIP: a range whose address is a loopback address.
        private static bool ContainsLoopback(List<IPNetwork> networks)
        {
            foreach (IPNetwork network in networks)
            {
                if (IPAddress.IsLoopback(network.BaseAddress))
                {
                    return true;
                }
            }

            return false;
        }

        private void Both(Table table, string chain, IReadOnlyList<Match> matches, Target target, int? insertPosition = null)
        {
            var rule = new Rule(table, chain, matches, target, insertPosition);
            _ipv4.Add(rule);
            if (_ipv6)
            {
                _ipv6Rules.Add(rule);
            }
        }

        private void Both(Func<IpFamily, Rule> rule)
        {
            _ipv4.Add(rule(IpFamily.V4));
            if (_ipv6)
            {
                _ipv6Rules.Add(rule(IpFamily.V6));
            }
        }

        private void Add(IpFamily family, Rule rule)
        {
            if (family == IpFamily.V4)
            {
                _ipv4.Add(rule);
            }
            else if (_ipv6)
            {
                _ipv6Rules.Add(rule);
            }
        }

        private void ForEachFamily(List<IPNetwork> v4, List<IPNetwork> v6, Func<IpFamily, IPNetwork, Rule> rule)
        {
            foreach (IPNetwork cidr in v4)
            {
                Add(IpFamily.V4, rule(IpFamily.V4, cidr));
            }

            if (_ipv6)
            {
                foreach (IPNetwork cidr in v6)
                {
                    Add(IpFamily.V6, rule(IpFamily.V6, cidr));
                }
            }
        }
    }
}
