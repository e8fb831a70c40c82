using System.Globalization;
using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>
/// Turns the ids of owner matches into numbers. Planned rules keep names as given (iptables resolves them when
/// loading; iptables-save prints numbers), so names are looked up in /etc/passwd and /etc/group like iptables does.
/// </summary>
internal sealed class OwnerIds
{
    private readonly Dictionary<string, uint> _users;
    private readonly Dictionary<string, uint> _groups;

    public OwnerIds(IReadOnlyDictionary<string, uint>? users = null, IReadOnlyDictionary<string, uint>? groups = null)
    {
        _users = users is null ? [] : new Dictionary<string, uint>(users);
        _groups = groups is null ? [] : new Dictionary<string, uint>(groups);
    }

    /// <summary>No names known: only numeric ids resolve.</summary>
    public static OwnerIds NumericOnly { get; } = new();

    /// <summary>Names from this machine's /etc/passwd and /etc/group (missing files mean no names).</summary>
    public static OwnerIds FromSystem() => new(ReadIds("/etc/passwd"), ReadIds("/etc/group"));

    public uint? Resolve(OwnerKind kind, string id)
    {
        if (uint.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
        {
            return number;
        }

        return (kind == OwnerKind.Uid ? _users : _groups).TryGetValue(id, out uint resolved) ? resolved : null;
    }

    /// <summary>The id as iptables-save prints it (a number), or null when it cannot be resolved; for <see cref="OwnerIdMapping"/>.</summary>
    public string? ResolveText(OwnerKind kind, string id) => Resolve(kind, id)?.ToString(CultureInfo.InvariantCulture);

    // Both files are "name:password:id:…"; the third field is the numeric id.
    private static Dictionary<string, uint> ReadIds(string path)
    {
        var ids = new Dictionary<string, uint>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return ids;
        }

        foreach (string line in File.ReadLines(path))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 3 && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
            {
                ids.TryAdd(fields[0], id);
            }
        }

        return ids;
    }
}
