using System.Globalization;
using System.Text;

namespace Capture.Peer;

/// <summary>
/// Results go to stdout as one <c>key=value</c> line (what scripts parse); the human sentence goes to stderr.
/// Values never contain spaces, so <c>sed -n 's/.* key=\([^ ]*\).*/\1/p'</c> reads them.
/// </summary>
internal static class Report
{
    public static void Result(string verb, params (string Key, object Value)[] pairs)
    {
        var line = new StringBuilder("verb=").Append(verb);
        foreach ((string key, object value) in pairs)
        {
            string text = value switch
            {
                double d => d.ToString("0.###", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? string.Empty,
            };
            line.Append(' ').Append(key).Append('=').Append(text.Replace(' ', '_'));
        }

        Console.Out.WriteLine(line.ToString());
        Console.Out.Flush();
    }

    public static void Human(string message)
    {
        Console.Error.WriteLine("capture-peer: " + message);
    }
}
