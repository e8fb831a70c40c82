using System.Globalization;
using System.Net;

namespace Capture.Peer;

/// <summary>
/// The options of one verb: <c>--name value</c> pairs and positional arguments. Every option a verb reads is
/// declared by reading it; <see cref="ThrowIfUnused"/> then rejects the rest, so a typo is an error, not a default.
/// </summary>
internal sealed class PeerArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];

    public PeerArgs(IEnumerable<string> args)
    {
        using IEnumerator<string> e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string arg = e.Current;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                string name = arg[2..];
                int eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    _options[name[..eq]] = name[(eq + 1)..];
                }
                else if (e.MoveNext())
                {
                    _options[name] = e.Current;
                }
                else
                {
                    throw new UsageException($"option --{name} needs a value");
                }
            }
            else
            {
                _positionals.Add(arg);
            }
        }
    }

    public IReadOnlyList<string> Positionals => _positionals;

    public string? String(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out string? value) ? value : null;
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback, int min = 0, int max = int.MaxValue)
    {
        string? text = String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be an integer in [{min}, {max}], got '{text}'");
        }

        return value;
    }

    public TimeSpan Seconds(string name, double fallback)
    {
        string? text = String(name);
        if (text is null)
        {
            return TimeSpan.FromSeconds(fallback);
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0 || value > 86_400)
        {
            throw new UsageException($"--{name} must be a number of seconds in (0, 86400], got '{text}'");
        }

        return TimeSpan.FromSeconds(value);
    }

    public IPAddress Address(string name, string fallback)
    {
        string text = String(name, fallback);
        return IPAddress.TryParse(text, out IPAddress? address)
            ? address
            : throw new UsageException($"--{name} must be an IP address, got '{text}'");
    }

    /// <summary>Reads <c>--host</c> and <c>--port</c> as the endpoint a client verb connects to.</summary>
    public IPEndPoint Target(int defaultPort)
    {
        IPAddress host = Address("host", "127.0.0.1");
        return new IPEndPoint(host, Int("port", defaultPort, 1, 65535));
    }

    public void ThrowIfUnused(int maxPositionals = 0)
    {
        foreach (string name in _options.Keys)
        {
            if (!_used.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }
        }

        if (_positionals.Count > maxPositionals)
        {
            throw new UsageException($"unexpected argument '{_positionals[maxPositionals]}'");
        }
    }
}
