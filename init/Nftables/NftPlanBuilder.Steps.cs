using System.Net;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

internal sealed partial class NftPlanBuilder
{
    private sealed partial class Steps
    {
        // 1. Interfaces fully bypassed (nat, and mangle in TPROXY mode).
        private void ExcludeInterfaces()
        {
            foreach (string name in _options.ExcludeInterfaces)
            {
                Add(Table.Nat, NftChains.Prerouting, [Match(NftField.IifName, NftValues.Name(name))], s_return);
                Add(Table.Nat, NftChains.Output, [Match(NftField.OifName, NftValues.Name(name))], s_return);
            }

            if (_tproxy)
            {
                foreach (string name in _options.ExcludeInterfaces)
                {
                    Add(Table.Mangle, NftChains.Prerouting, [Match(NftField.IifName, NftValues.Name(name))], s_return);
                    Add(Table.Mangle, NftChains.Output, [Match(NftField.OifName, NftValues.Name(name))], s_return);
                }
            }
        }

        // 2. A kube-virt interface's traffic is a VM's outbound traffic: never inbound-captured.
        private void KubeVirtReturn()
        {
            foreach (string name in _options.KubeVirtInterfaces)
            {
                Add(Table.Nat, NftChains.Prerouting, [Match(NftField.IifName, NftValues.Name(name))], s_return, index: 0);
            }
        }

        // 3. Istio's nft rule names the protocol, which the iptables rule does not.
        private void DropInvalid()
        {
            if (!_options.DropInvalid)
            {
                return;
            }

            Add(Table.Mangle, NftChains.Prerouting, [s_tcp, Match(NftField.CtState, NftValues.CtStates("invalid"))], Jump(NftChains.Drop));
            Add(Table.Mangle, NftChains.Drop, [], [NftStatement.Counter, NftStatement.Drop]);
        }

        // 4.
        private void CommonChains()
        {
            Add(Table.Nat, NftChains.Inbound, [s_tcp, Port(NftField.TcpDport, _options.InboundTunnelPort)], s_return);
            Add(Table.Nat, NftChains.Redirect, [s_tcp], RedirectTo(_options.ProxyPort));
            Add(Table.Nat, NftChains.InRedirect, [s_tcp], RedirectTo(_options.InboundCapturePort));
        }

        // 5.
        private void Inbound()
        {
            if (!_options.InboundAllPorts && _options.InboundPorts.Count == 0)
            {
                return;
            }

            Table table = _tproxy ? Table.Mangle : Table.Nat;
            if (_tproxy)
            {
                Add(Table.Mangle, NftChains.Divert, [], [NftStatement.Counter, NftStatement.SetMark(_markValue, _options.TProxyMark)]);
                Add(Table.Mangle, NftChains.Divert, [], [NftStatement.Counter, NftStatement.Accept]);
                Add(Table.Mangle, NftChains.TProxy, [s_tcp, Match(NftField.IpDaddr, _loopbackV4, negated: true)], TProxyTo("ip"));
                if (_ipv6)
                {
                    Add(Table.Mangle, NftChains.TProxy, [s_tcp, Match(NftField.Ip6Daddr, _loopbackV6, negated: true)], TProxyTo("ip6"));
                }
            }

            Add(table, NftChains.Prerouting, [s_tcp], Jump(NftChains.Inbound));
            NftMatch established = Match(NftField.CtState, NftValues.CtStates("related,established"));
            if (_options.InboundAllPorts)
            {
                foreach (int port in _options.LocalExcludePorts)
                {
                    Add(table, NftChains.Inbound, [s_tcp, Port(NftField.TcpDport, port)], s_return);
                }

                if (_tproxy)
                {
                    Add(table, NftChains.Inbound, [s_tcp, established], Jump(NftChains.Divert));
                    Add(table, NftChains.Inbound, [s_tcp], Jump(NftChains.TProxy));
                }
                else
                {
                    Add(table, NftChains.Inbound, [s_tcp], Jump(NftChains.InRedirect));
                }

                return;
            }

            foreach (int port in _options.InboundPorts)
            {
                if (_tproxy)
                {
                    Add(table, NftChains.Inbound, [s_tcp, established, Port(NftField.TcpDport, port)], Jump(NftChains.Divert));
                    Add(table, NftChains.Inbound, [s_tcp, Port(NftField.TcpDport, port)], Jump(NftChains.TProxy));
                }
                else
                {
                    Add(table, NftChains.Inbound, [s_tcp, Port(NftField.TcpDport, port)], Jump(NftChains.InRedirect));
                }
            }
        }

        private NftStatement[] TProxyTo(string family) =>
            [NftStatement.TProxy(family, _options.InboundCapturePort), NftStatement.SetMark(_markValue, _options.TProxyMark),
             NftStatement.Counter, NftStatement.Accept];

        // 7.
        private void OutboundExcludedPorts()
        {
            foreach (int port in _options.OutboundExcludePorts)
            {
                Add(Table.Nat, NftChains.OutputChain, [Port(NftField.TcpDport, port)], s_return);
                Add(Table.Nat, NftChains.OutputChain, [Port(NftField.UdpDport, port)], s_return);
            }
        }

        // 8. The proxy's inbound passthrough connections (source 127.0.0.6 / ::6).
        private void InboundPassthrough()
        {
            Add(Table.Nat, NftChains.OutputChain, [s_oifLo, Match(NftField.IpSaddr, NftValues.Host(CaptureRuleBuilder.Ipv4Passthrough.BaseAddress))], s_return);
            if (_ipv6)
            {
                Add(Table.Nat, NftChains.OutputChain, [s_oifLo, Match(NftField.Ip6Saddr, NftValues.Host(CaptureRuleBuilder.Ipv6Passthrough.BaseAddress))], s_return);
            }
        }

        // 9 (UIDs) and 10 (GIDs).
        private void ProxyOwners(NftField field, IReadOnlyList<string> ids)
        {
            bool loopbackIncluded = ContainsLoopback(_includeV4) || ContainsLoopback(_includeV6);
            // DNS to this pod's own address must not loop through inbound; Istio leaves port 53 out for UIDs only.
            NftMatch tunnel = _dns && field == NftField.SkUid
                ? new NftMatch(NftField.TcpDport, NftValues.PortSet([CaptureRuleBuilder.DnsPort, _options.InboundTunnelPort]), Negated: true)
                : Port(NftField.TcpDport, _options.InboundTunnelPort, negated: true);
            foreach (string id in ids)
            {
                NftMatch owner = Match(field, NftValues.Owner(id));
                Add(Table.Nat, NftChains.OutputChain,
                    [s_oifLo, s_tcp, Match(NftField.IpDaddr, _loopbackV4, negated: true), tunnel, owner], Jump(NftChains.InRedirect));
                if (_ipv6)
                {
                    Add(Table.Nat, NftChains.OutputChain,
                        [s_oifLo, s_tcp, Match(NftField.Ip6Daddr, _loopbackV6, negated: true), tunnel, owner], Jump(NftChains.InRedirect));
                }

                if (!loopbackIncluded)
                {
                    NftMatch notOwner = Match(field, NftValues.Owner(id), negated: true);
                    Add(Table.Nat, NftChains.OutputChain,
                        _dns ? [s_oifLo, s_tcp, Port(NftField.TcpDport, CaptureRuleBuilder.DnsPort, negated: true), notOwner] : [s_oifLo, notOwner],
                        s_return);
                }

                Add(Table.Nat, NftChains.OutputChain, [owner], s_return);
            }
        }

        // 11. Group names go to nft verbatim (nft resolves them when it loads the rule).
        private void OwnerGroups()
        {
            if (_options.OwnerGroupsInclude.Count > 0)
            {
                var matches = new NftMatch[_options.OwnerGroupsInclude.Count];
                for (int i = 0; i < matches.Length; i++)
                {
                    matches[i] = Match(NftField.SkGid, NftValues.Owner(_options.OwnerGroupsInclude[i]), negated: true);
                }

                Add(Table.Nat, NftChains.OutputChain, matches, s_return);
                return;
            }

            foreach (string group in _options.OwnerGroupsExclude)
            {
                Add(Table.Nat, NftChains.OutputChain, [Match(NftField.SkGid, NftValues.Owner(group))], s_return);
            }
        }

        // 13 and 14.
        private void OutboundExcludedCidrs()
        {
            Add(Table.Nat, NftChains.OutputChain, [Match(NftField.IpDaddr, _loopbackV4)], s_return);
            if (_ipv6)
            {
                Add(Table.Nat, NftChains.OutputChain, [Match(NftField.Ip6Daddr, _loopbackV6)], s_return);
            }

            foreach (IPNetwork cidr in _excludeV4)
            {
                Add(Table.Nat, NftChains.OutputChain, [Match(NftField.IpDaddr, NftValues.Network(cidr))], s_return);
            }

            if (_ipv6)
            {
                foreach (IPNetwork cidr in _excludeV6)
                {
                    Add(Table.Nat, NftChains.OutputChain, [Match(NftField.Ip6Daddr, NftValues.Network(cidr))], s_return);
                }
            }
        }

        // 15. Istio's nft rule has no meta l4proto tcp here (the tcp dport match implies it).
        private void OutboundPorts()
        {
            foreach (int port in _options.OutboundPorts)
            {
                Add(Table.Nat, NftChains.OutputChain, [Port(NftField.TcpDport, port)], Jump(NftChains.Redirect));
            }
        }

        // 16.
        private void OutboundInclude()
        {
            if (_options.OutboundAllCidrs)
            {
                Add(Table.Nat, NftChains.OutputChain, [], Jump(NftChains.Redirect));
                foreach (string name in _options.KubeVirtInterfaces)
                {
                    Add(Table.Nat, NftChains.Prerouting, [Match(NftField.IifName, NftValues.Name(name))], Jump(NftChains.Redirect), index: 0);
                }

                return;
            }

            Include(NftField.IpDaddr, _includeV4);
            if (_ipv6)
            {
                Include(NftField.Ip6Daddr, _includeV6);
            }

            void Include(NftField field, List<IPNetwork> cidrs)
            {
                foreach (IPNetwork cidr in cidrs)
                {
                    NftMatch destination = Match(field, NftValues.Network(cidr));
                    foreach (string name in _options.KubeVirtInterfaces)
                    {
                        Add(Table.Nat, NftChains.Prerouting, [Match(NftField.IifName, NftValues.Name(name)), destination], Jump(NftChains.Redirect), index: 0);
                    }

                    Add(Table.Nat, NftChains.OutputChain, [destination], Jump(NftChains.Redirect));
                }
            }
        }

        // 17. TPROXY marks (even without inbound capture, as Istio does).
        private void TProxyMarks()
        {
            if (!_tproxy)
            {
                return;
            }

            NftMatch mark = Match(NftField.Mark, _mark);
            NftStatement[] outboundMark = [NftStatement.Counter, NftStatement.SetMark(CaptureRuleBuilder.OutboundMark)];
            Add(Table.Mangle, NftChains.Prerouting, [s_tcp, mark], [NftStatement.Counter, NftStatement.SetCtMarkFromMark]);
            Add(Table.Mangle, NftChains.Output, [s_oifLo, s_tcp, mark], s_return);
            foreach ((NftField field, IReadOnlyList<string> ids) in new[] { (NftField.SkUid, _options.ProxyUids), (NftField.SkGid, _options.ProxyGids) })
            {
                foreach (string id in ids)
                {
                    NftMatch owner = Match(field, NftValues.Owner(id));
                    Add(Table.Mangle, NftChains.Output, [s_oifLo, s_tcp, Match(NftField.IpDaddr, _loopbackV4, negated: true), owner], outboundMark);
                    if (_ipv6)
                    {
                        Add(Table.Mangle, NftChains.Output, [s_oifLo, s_tcp, Match(NftField.Ip6Daddr, _loopbackV6, negated: true), owner], outboundMark);
                    }
                }
            }

            Add(Table.Mangle, NftChains.Output, [s_tcp, Match(NftField.CtMark, _mark)], [NftStatement.Counter, NftStatement.SetMarkFromCtMark]);
            Add(Table.Mangle, NftChains.Inbound, [s_tcp, mark], s_return, index: 0);
            Add(Table.Mangle, NftChains.Inbound,
                [s_iifLo, s_tcp, Match(NftField.IpSaddr, NftValues.Host(CaptureRuleBuilder.Ipv4Passthrough.BaseAddress))], s_return, index: 1);
            if (_ipv6)
            {
                Add(Table.Mangle, NftChains.Inbound,
                    [s_iifLo, s_tcp, Match(NftField.Ip6Saddr, NftValues.Host(CaptureRuleBuilder.Ipv6Passthrough.BaseAddress))], s_return, index: 1);
            }

            Add(Table.Mangle, NftChains.Inbound,
                [s_iifLo, s_tcp, Match(NftField.Mark, NftValues.Mark(CaptureRuleBuilder.OutboundMark), negated: true)], s_return, index: 2);
        }

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
    }
}
