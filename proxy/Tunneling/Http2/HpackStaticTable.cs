namespace Capture.Proxy.Tunneling.Http2;

/// <summary>The static table of RFC 7541 Appendix A (indices 1 to 61).</summary>
internal static class HpackStaticTable
{
    public const int Count = 61;

    private static readonly (string Name, string Value)[] s_entries =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""), ("etag", ""),
        ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""), ("if-modified-since", ""),
        ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""), ("last-modified", ""), ("link", ""),
        ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""), ("proxy-authorization", ""), ("range", ""),
        ("referer", ""), ("refresh", ""), ("retry-after", ""), ("server", ""), ("set-cookie", ""),
        ("strict-transport-security", ""), ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""),
        ("www-authenticate", ""),
    ];

    /// <summary>The entry at 1-based <paramref name="index"/>.</summary>
    public static (string Name, string Value) Get(int index) => s_entries[index - 1];

    /// <summary>The 1-based index of an entry with both name and value, or 0; <paramref name="nameIndex"/> gets the first entry with the name, or 0.</summary>
    public static int Find(string name, string value, out int nameIndex)
    {
        nameIndex = 0;
        for (int i = 0; i < s_entries.Length; i++)
        {
            if (string.Equals(s_entries[i].Name, name, StringComparison.Ordinal))
            {
                if (nameIndex == 0)
                {
                    nameIndex = i + 1;
                }

                if (string.Equals(s_entries[i].Value, value, StringComparison.Ordinal))
                {
                    return i + 1;
                }
            }
        }

        return 0;
    }
}
