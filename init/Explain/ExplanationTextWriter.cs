using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>Writes an <see cref="Explanation"/> for people: the connection, the path (hook, chain, matched rules), the verdict.</summary>
internal static class ExplanationTextWriter
{
    public static void Write(Explanation explanation, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(Describe(explanation.Connection) + " (" + (explanation.Family == IpFamily.V4 ? "IPv4" : "IPv6") + ")");
        foreach (TraceStep step in explanation.Steps)
        {
            string indent = new(' ', 2 + step.Depth * 2);
            switch (step.Kind)
            {
                case TraceStepKind.Hook:
                    output.WriteLine(step.Detail);
                    break;
                case TraceStepKind.Chain:
                    output.WriteLine(indent + step.Detail);
                    break;
                case TraceStepKind.Rule:
                    output.WriteLine(indent + "  #" + step.RuleNumber + " " + step.RuleText);
                    output.WriteLine(indent + "     → " + step.Detail);
                    break;
                case TraceStepKind.ChainEnd:
                    output.WriteLine(indent + "  " + step.Detail);
                    break;
                default:
                    output.WriteLine("  (" + step.Detail + ")");
                    break;
            }
        }

        if (explanation.ConntrackZone is { } zone)
        {
            output.WriteLine("conntrack zone: " + zone);
        }

        foreach (string note in explanation.Notes)
        {
            output.WriteLine("note: " + note);
        }

        output.WriteLine("verdict: " + explanation.Outcome.Summary);
    }

    /// <summary>"outbound tcp 10.0.0.5:40000 → 10.1.2.3:8080, uid 0 gid 0, out eth0".</summary>
    public static string Describe(Connection connection)
    {
        string protocol = connection.Protocol == TransportProtocol.Tcp ? "tcp" : "udp";
        string text = (connection.Direction == ConnectionDirection.Outbound ? "outbound " : "inbound ") + protocol + " "
            + MatchEvaluator.Format(connection.EffectiveSource, connection.SourcePort) + " → "
            + MatchEvaluator.Format(connection.Destination, connection.DestinationPort);
        text += connection.Direction == ConnectionDirection.Outbound
            ? ", uid " + connection.Uid + " gid " + connection.Gid + ", out " + connection.EffectiveOutInterface
            : ", in " + connection.EffectiveInInterface;
        return text + (connection.Established ? ", established" : ", first packet");
    }
}
