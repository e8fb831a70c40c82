using System.Net;
using System.Net.Sockets;
using Capture.Init.Values;

namespace Capture.Init.Configuration;

internal sealed partial record RuleOptions
{
    /// <summary>At most this many groups in <see cref="OwnerGroupsInclude"/> (istio-iptables' limit: one -m owner each in one rule).</summary>
    public const int MaxOwnerGroups = 64;

    /// <summary>Adds every problem with these options to <paramref name="errors"/>, one line each naming the flag and the value.</summary>
    public void Validate(List<string> errors)
    {
        CheckPort(errors, "-p/--envoy-port", ProxyPort);
        CheckPort(errors, "-z/--inbound-capture-port", InboundCapturePort);
        CheckPort(errors, "-e/--inbound-tunnel-port", InboundTunnelPort);
        CheckPorts(errors, "-b/--istio-inbound-ports", InboundPorts);
        CheckPorts(errors, "-d/--istio-local-exclude-ports", LocalExcludePorts);
        CheckPorts(errors, "-q/--istio-outbound-ports", OutboundPorts);
        CheckPorts(errors, "-o/--istio-local-outbound-ports-exclude", OutboundExcludePorts);

        if (OwnerGroupsInclude.Count > MaxOwnerGroups)
        {
            errors.Add($"$ISTIO_OUTBOUND_OWNER_GROUPS: {OwnerGroupsInclude.Count} groups given, at most {MaxOwnerGroups} are allowed");
        }

        IPNetwork loopback = Ipv4LoopbackCidr;
        if (loopback.BaseAddress.AddressFamily != AddressFamily.InterNetwork
            || !IPAddress.IsLoopback(loopback.BaseAddress)
            || loopback.PrefixLength is < 8 or > 32)
        {
            errors.Add($"$ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: '{loopback}' is not an IPv4 loopback CIDR with a mask of 8 to 32 (e.g. 127.0.0.1/32)");
        }

        if (!MarkText.TryParse(TProxyMark, out uint mark))
        {
            errors.Add($"-t/--istio-inbound-tproxy-mark: '{TProxyMark}' is not a 32-bit mark (decimal or 0x hex)");
        }
        else if (mark == 0 && InterceptionMode == InterceptionMode.TProxy)
        {
            // 'ip rule add fwmark 0 lookup T' matches every unmarked packet: all of the pod's traffic would use T.
            errors.Add($"-t/--istio-inbound-tproxy-mark: '{TProxyMark}' would send every unmarked packet of the pod to the TPROXY route table; use a non-zero mark (Istio's default is 1337)");
        }

        if (TProxyRouteTable.Length == 0 || !TProxyRouteTable.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            errors.Add($"-r/--istio-inbound-tproxy-route-table: '{TProxyRouteTable}' is not a routing table number or name");
        }
        else if (InterceptionMode == InterceptionMode.TProxy && RouteTables.Problem(TProxyRouteTable) is { } problem)
        {
            errors.Add($"-r/--istio-inbound-tproxy-route-table: '{TProxyRouteTable}' {problem}");
        }
    }

    internal static void CheckPort(List<string> errors, string flag, int port)
    {
        if (port is < 1 or > 65535)
        {
            errors.Add($"{flag}: '{port}' is outside the port range 1-65535");
        }
    }

    private static void CheckPorts(List<string> errors, string flag, IReadOnlyList<int> ports)
    {
        // Indexed, not foreach: enumerating an int[] through IReadOnlyList<int> is a generic the JIT compiles at start-up.
        for (int i = 0; i < ports.Count; i++)
        {
            CheckPort(errors, flag, ports[i]);
        }
    }
}
