using System.Text.Json;
using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>
/// Writes an <see cref="Explanation"/> as one JSON object for tools (<c>--output json</c>). Written with
/// <see cref="Utf8JsonWriter"/>: no reflection, so the field names are stable and trimming-safe.
/// </summary>
internal static class ExplanationJsonWriter
{
    public static void Write(Explanation explanation, Stream output)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        Connection connection = explanation.Connection;
        json.WriteStartObject();
        json.WriteString("backend", explanation.Notation.Backend);

        json.WriteStartObject("connection");
        json.WriteString("direction", connection.Direction == ConnectionDirection.Outbound ? "outbound" : "inbound");
        json.WriteString("protocol", connection.Protocol == TransportProtocol.Tcp ? "tcp" : "udp");
        json.WriteString("family", explanation.Family == IpFamily.V4 ? "ipv4" : "ipv6");
        json.WriteString("source", connection.EffectiveSource.ToString());
        json.WriteNumber("sourcePort", connection.SourcePort);
        json.WriteString("destination", connection.Destination.ToString());
        json.WriteNumber("destinationPort", connection.DestinationPort);
        json.WriteNumber("uid", connection.Uid);
        json.WriteNumber("gid", connection.Gid);
        if (connection.Direction == ConnectionDirection.Outbound)
        {
            json.WriteString("outInterface", connection.EffectiveOutInterface);
        }
        else
        {
            json.WriteString("inInterface", connection.EffectiveInInterface);
        }

        json.WriteBoolean("established", connection.Established);
        json.WriteEndObject();

        json.WriteStartArray("path");
        foreach (TraceStep step in explanation.Steps)
        {
            json.WriteStartObject();
            json.WriteString("kind", step.Kind.ToString().ToLowerInvariant());
            json.WriteString("hook", step.Hook.ChainName());
            if (step.Table is { } table)
            {
                json.WriteString("table", explanation.Notation.Table(table));
            }

            if (step.Chain is not null)
            {
                json.WriteString("chain", step.Chain);
            }

            if (step.RuleNumber is { } number)
            {
                json.WriteNumber("rule", number);
                json.WriteString("text", step.RuleText);
            }

            json.WriteString("detail", step.Detail);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        Outcome outcome = explanation.Outcome;
        json.WriteStartObject("verdict");
        json.WriteString("kind", JsonKind(outcome.Kind));
        json.WriteString("summary", outcome.Summary);
        if (outcome.Port is { } port)
        {
            json.WriteNumber("port", port);
        }

        json.WriteNumber("mark", outcome.Mark);
        if (outcome.OriginalDestination is { } original)
        {
            json.WriteString("originalDestination", MatchEvaluator.Format(original.Address, original.Port));
        }

        if (outcome.DecidingRule is not null)
        {
            json.WriteString("decidingRule", outcome.DecidingRule);
        }

        if (explanation.ConntrackZone is { } zone)
        {
            json.WriteNumber("conntrackZone", zone);
        }

        json.WriteEndObject();

        json.WriteStartArray("notes");
        foreach (string note in explanation.Notes)
        {
            json.WriteStringValue(note);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>kebab-case kinds: "outbound-capture", "not-captured".</summary>
    public static string JsonKind(OutcomeKind kind) => kind switch
    {
        OutcomeKind.OutboundCapture => "outbound-capture",
        OutcomeKind.InboundCapture => "inbound-capture",
        OutcomeKind.DnsCapture => "dns-capture",
        OutcomeKind.Redirected => "redirected",
        OutcomeKind.TProxy => "tproxy",
        OutcomeKind.Diverted => "diverted",
        OutcomeKind.NotCaptured => "not-captured",
        _ => "dropped",
    };
}
