using System.Net;

namespace Capture.Init.Rules;

internal sealed partial class CaptureRuleBuilder
{
    private sealed partial class Plan
    {
        // 13. DNS to the resolv.conf servers (or any, with --capture-all-dns) goes to the agent on 15053; the raw-table
        // conntrack zones keep the agent's upstream query and the application's query from sharing a conntrack entry,
        // which would otherwise let the reply be un-NATed to the wrong socket.
        private void Dns()
        {
            if (!_redirectDns)
            {
                return;
            }

            DnsNat(IpFamily.V4, _dnsV4);
            if (_ipv6)
            {
                DnsNat(IpFamily.V6, _dnsV6);
            }

            DnsRaw(IpFamily.V4, _dnsV4);
            if (_ipv6)
            {
                DnsRaw(IpFamily.V6, _dnsV6);
            }
        }

        private void DnsNat(IpFamily family, List<IPNetwork> servers)
        {
            if (!_options.CaptureAllDns && servers.Count == 0)
            {
                return;
            }

            Add(family, new Rule(Table.Nat, ChainNames.OutputChain, [], new JumpTarget(ChainNames.OutputDns)));
            if (_options.CaptureAllDns)
            {
                AddDnsRedirect(family, null);
                return;
            }

            foreach (IPNetwork server in servers)
            {
                AddDnsRedirect(family, server);
            }
        }

        private void AddDnsRedirect(IpFamily family, IPNetwork? server)
        {
            var dport = new DestinationPortMatch(DnsPort);
            Add(family, new Rule(Table.Nat, ChainNames.OutputDns,
                server is { } tcpServer ? [s_tcp, dport, new DestinationMatch(tcpServer)] : [s_tcp, dport],
                new RedirectTarget(DnsProxyPort)));
            Add(family, new Rule(Table.Nat, ChainNames.OutputDns,
                server is { } udpServer ? [s_udp, dport, new DestinationMatch(udpServer)] : [s_udp, dport],
                new RedirectTarget(DnsProxyPort, SingularSpelling: true)));
        }

        private void DnsRaw(IpFamily family, List<IPNetwork> servers)
        {
            Add(family, new Rule(Table.Raw, ChainNames.Output, [], new JumpTarget(ChainNames.OutputDns)));
            foreach ((OwnerKind kind, IReadOnlyList<string> ids) in new[] { (OwnerKind.Uid, _options.ProxyUids), (OwnerKind.Gid, _options.ProxyGids) })
            {
                foreach (string id in ids)
                {
                    Add(family, new Rule(Table.Raw, ChainNames.OutputDns,
                        [s_udp, new DestinationPortMatch(DnsPort), new OwnerMatch(kind, id)], new CtZoneTarget(DnsUpstreamZone)));
                    Add(family, new Rule(Table.Raw, ChainNames.OutputDns,
                        [s_udp, new SourcePortMatch(DnsProxyPort), new OwnerMatch(kind, id)], new CtZoneTarget(DnsApplicationZone)));
                }
            }

            if (!_options.CaptureAllDns && servers.Count == 0)
            {
                return;
            }

            Add(family, new Rule(Table.Raw, ChainNames.Prerouting, [], new JumpTarget(ChainNames.Inbound)));
            if (_options.CaptureAllDns)
            {
                Add(family, new Rule(Table.Raw, ChainNames.OutputDns, [s_udp, new DestinationPortMatch(DnsPort)], new CtZoneTarget(DnsApplicationZone)));
                Add(family, new Rule(Table.Raw, ChainNames.Inbound, [s_udp, new SourcePortMatch(DnsPort)], new CtZoneTarget(DnsUpstreamZone)));
                return;
            }

            foreach (IPNetwork server in servers)
            {
                Add(family, new Rule(Table.Raw, ChainNames.OutputDns,
                    [s_udp, new DestinationPortMatch(DnsPort), new DestinationMatch(server)], new CtZoneTarget(DnsApplicationZone)));
            }

            foreach (IPNetwork server in servers)
            {
                Add(family, new Rule(Table.Raw, ChainNames.Inbound,
                    [s_udp, new SourcePortMatch(DnsPort), new SourceMatch(server)], new CtZoneTarget(DnsUpstreamZone)));
            }
        }
    }
}
