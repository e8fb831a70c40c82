using System.Globalization;
using System.Text;

namespace Capture.Proxy.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4: per family one <c># HELP</c> and one <c># TYPE</c> line, then
/// its samples, each <c>name{label="value",…} number</c>, every line ending in <c>\n</c>.
/// </summary>
/// <remarks>See https://prometheus.io/docs/instrumenting/exposition_formats/ for the escaping rules.</remarks>
internal sealed class PrometheusTextWriter(StringBuilder output)
{
    /// <summary>Content type a Prometheus server expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public void Family(string name, MetricType type, string help)
    {
        output.Append("# HELP ").Append(name).Append(' ');
        AppendEscaped(help, escapeQuotes: false);
        output.Append('\n');
        output.Append("# TYPE ").Append(name).Append(' ').Append(type switch
        {
            MetricType.Counter => "counter",
            MetricType.Gauge => "gauge",
            MetricType.Histogram => "histogram",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        }).Append('\n');
    }

    public void Sample(string name, long value) => Sample(name, [], value);

    public void Sample(string name, ReadOnlySpan<KeyValuePair<string, string>> labels, long value)
    {
        output.Append(name);
        if (!labels.IsEmpty)
        {
            output.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    output.Append(',');
                }

                output.Append(labels[i].Key).Append("=\"");
                AppendEscaped(labels[i].Value, escapeQuotes: true);
                output.Append('"');
            }

            output.Append('}');
        }

        output.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    // HELP text escapes backslash and line feed; label values also escape the double quote.
    private void AppendEscaped(string text, bool escapeQuotes)
    {
        foreach (char c in text)
        {
            _ = c switch
            {
                '\\' => output.Append(@"\\"),
                '\n' => output.Append(@"\n"),
                '"' when escapeQuotes => output.Append("\\\""),
                _ => output.Append(c),
            };
        }
    }
}
