using System.Net;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

internal sealed partial class NftPlanBuilder
{
    private sealed partial class Steps
    {
        // 12. Istio's SetupDNSRedir for nft: one jump to the DNS chain for both families, TCP then UDP redirects (each
        // IPv4 then IPv6), and the raw-table conntrack zones that keep the agent's upstream query apart from the
        // application's. Servers are written as ADDRESS/32 or ADDRESS/128.
        private void Dns()
        {
            if (!_dns)
            {
                return;
            }

            int dnsPort = CaptureRuleBuilder.DnsPort;
            int proxyPort = CaptureRuleBuilder.DnsProxyPort;
            Add(Table.Raw, NftChains.Output, [], Jump(NftChains.OutputDns));
            bool anyServer = _dnsV4.Count > 0 || _dnsV6.Count > 0;
            if (_options.CaptureAllDns || anyServer)
            {
                Add(Table.Nat, NftChains.OutputChain, [], Jump(NftChains.OutputDns));
            }

            if (_options.CaptureAllDns)
            {
                Add(Table.Nat, NftChains.OutputDns, [s_tcp, Port(NftField.TcpDport, dnsPort)], RedirectTo(proxyPort));
                Add(Table.Nat, NftChains.OutputDns, [Port(NftField.UdpDport, dnsPort)], RedirectTo(proxyPort));
            }
            else
            {
                foreach (NftField transport in new[] { NftField.TcpDport, NftField.UdpDport })
                {
                    ForEachServer((field, server) =>
                        Add(Table.Nat, NftChains.OutputDns, [Match(field, server), Port(transport, dnsPort)], RedirectTo(proxyPort)));
                }
            }

            NftStatement[] upstreamZone = [NftStatement.Counter, NftStatement.SetCtZone(CaptureRuleBuilder.DnsUpstreamZone)];
            NftStatement[] applicationZone = [NftStatement.Counter, NftStatement.SetCtZone(CaptureRuleBuilder.DnsApplicationZone)];
            foreach ((NftField field, IReadOnlyList<string> ids) in new[] { (NftField.SkUid, _options.ProxyUids), (NftField.SkGid, _options.ProxyGids) })
            {
                foreach (string id in ids)
                {
                    var owner = new NftMatch(field, NftValues.Owner(id), MetaSpelling: true);
                    Add(Table.Raw, NftChains.OutputDns, [Port(NftField.UdpDport, dnsPort), owner], upstreamZone);
                    Add(Table.Raw, NftChains.OutputDns, [Port(NftField.UdpSport, proxyPort), owner], applicationZone);
                }
            }

            if (_options.CaptureAllDns)
            {
                Add(Table.Raw, NftChains.Prerouting, [], Jump(NftChains.Inbound));
                Add(Table.Raw, NftChains.OutputDns, [Port(NftField.UdpDport, dnsPort)], applicationZone);
                Add(Table.Raw, NftChains.Inbound, [Port(NftField.UdpSport, dnsPort)], upstreamZone);
                return;
            }

            if (!anyServer)
            {
                return;
            }

            Add(Table.Raw, NftChains.Prerouting, [], Jump(NftChains.Inbound));
            ForEachServer((field, server) =>
            {
                NftField source = field == NftField.IpDaddr ? NftField.IpSaddr : NftField.Ip6Saddr;
                Add(Table.Raw, NftChains.OutputDns, [Port(NftField.UdpDport, dnsPort), Match(field, server)], applicationZone);
                Add(Table.Raw, NftChains.Inbound, [Port(NftField.UdpSport, dnsPort), Match(source, server)], upstreamZone);
            });
        }

        /// <summary>Each IPv4 server, then (IPv6 on) each IPv6 server, with the destination field of its family.</summary>
        private void ForEachServer(Action<NftField, NftValue> action)
        {
            foreach (IPAddress server in _dnsV4)
            {
                action(NftField.IpDaddr, NftValues.Host(server));
            }

            if (_ipv6)
            {
                foreach (IPAddress server in _dnsV6)
                {
                    action(NftField.Ip6Daddr, NftValues.Host(server));
                }
            }
        }
    }
}
