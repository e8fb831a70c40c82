using System.Text.Json;
using Capture.Init.Rules;

namespace Capture.Init.Diff;

/// <summary>Writes a <see cref="DiffReport"/> as one JSON object (<c>diff --output json</c>), with <see cref="Utf8JsonWriter"/>: no reflection.</summary>
internal static class DiffJsonWriter
{
    public static void Write(DiffReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteBoolean("drift", report.HasDrift);
        json.WriteNumber("plannedChains", report.PlannedChains);
        json.WriteNumber("plannedRules", report.PlannedRules);
        json.WriteStartArray("differences");
        foreach (RuleDifference difference in report.Differences)
        {
            json.WriteStartObject();
            json.WriteString("kind", difference.Kind switch
            {
                DifferenceKind.MissingChain => "missing-chain",
                DifferenceKind.UnexpectedChain => "unexpected-chain",
                DifferenceKind.MissingRule => "missing-rule",
                DifferenceKind.UnexpectedRule => "unexpected-rule",
                _ => "moved-rule",
            });
            json.WriteString("family", difference.Family == IpFamily.V4 ? "ipv4" : "ipv6");
            json.WriteString("table", difference.Table.Name());
            json.WriteString("chain", difference.Chain);
            if (difference.Rule is not null)
            {
                json.WriteString("rule", difference.Rule);
            }

            if (difference.PlannedPosition is { } planned)
            {
                json.WriteNumber("plannedPosition", planned);
            }

            if (difference.LivePosition is { } live)
            {
                json.WriteNumber("livePosition", live);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("routing");
        foreach (string routing in report.RoutingDifferences)
        {
            json.WriteStringValue(routing);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
