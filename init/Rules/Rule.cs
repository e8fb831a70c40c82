using System.Text;

namespace Capture.Init.Rules;

/// <summary>
/// One iptables rule: table, chain, the matches in the order they are written, a target, and, for <c>-I CHAIN N</c>,
/// the 1-based insert position (null = appended with <c>-A</c>).
/// </summary>
/// <remarks>
/// Equality is canonical, so a planned rule equals its iptables-save form: the base matches (<c>-s -d -i -o -p</c>)
/// compare in a fixed order and modules in their given order, exactly as iptables-save reorders them; spellings iptables
/// treats alike (<c>--to-port</c>/<c>--to-ports</c>, decimal/hex marks) are equal.
/// </remarks>
internal sealed class Rule : IEquatable<Rule>
{
    public Rule(Table table, string chain, IReadOnlyList<Match> matches, Target target, int? insertPosition = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(chain);
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(target);
        if (insertPosition is { } position)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(position, 1, nameof(insertPosition));
        }

        Table = table;
        Chain = chain;
        Matches = matches;
        Target = target;
        InsertPosition = insertPosition;
    }

    public Table Table { get; }

    public string Chain { get; }

    /// <summary>The matches in the order they are rendered.</summary>
    public IReadOnlyList<Match> Matches { get; }

    public Target Target { get; }

    /// <summary>1-based position for <c>-I CHAIN N</c>; null for <c>-A CHAIN</c>.</summary>
    public int? InsertPosition { get; }

    /// <summary>The chain this rule jumps to, or null when its target is not a jump.</summary>
    public string? JumpChain => Target is JumpTarget jump ? jump.Chain : null;

    /// <summary>The same rule appended (<c>-A</c>), as it appears in iptables-save output.</summary>
    public Rule WithoutPosition() => InsertPosition is null ? this : new Rule(Table, Chain, Matches, Target);

    /// <summary>The rule's own arguments after the chain (matches and target) as argv tokens, for <c>iptables -C/-D</c>.</summary>
    public List<string> SpecTokens()
    {
        var tokens = new List<string>(Matches.Count * 3 + 4);
        foreach (Match match in Matches)
        {
            match.AppendTokens(tokens);
        }

        Target.AppendTokens(tokens);
        return tokens;
    }

    /// <summary>The iptables-restore line: <c>-A CHAIN spec</c> or <c>-I CHAIN N spec</c>.</summary>
    public string ToRestoreLine()
    {
        var line = new StringBuilder(96);
        if (InsertPosition is { } position)
        {
            line.Append("-I ").Append(Chain).Append(' ').Append(position);
        }
        else
        {
            line.Append("-A ").Append(Chain);
        }

        foreach (string token in SpecTokens())
        {
            line.Append(' ');
            AppendQuoted(line, token);
        }

        return line.ToString();
    }

    /// <summary>The matches and target, e.g. <c>-p tcp --dport 9090 -j RETURN</c>, quoted as <see cref="ToRestoreLine"/> quotes.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(64);
        foreach (string token in SpecTokens())
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            AppendQuoted(text, token);
        }

        return text.ToString();
    }

    /// <summary>
    /// A token as iptables-save writes it: in double quotes (with <c>\"</c> and <c>\\</c> escaped, iptables-restore's
    /// escapes) when it is empty or holds a blank, a quote or a character a shell would act on, so that a printed rule
    /// reads back as the same rule with iptables-restore, and pasted after <c>iptables -t TABLE</c> stays one word per
    /// token (a comment "capture-init reconcile guard" printed bare would be three).
    /// </summary>
    internal static void AppendQuoted(StringBuilder text, string token)
    {
        if (token.Length > 0 && token.AsSpan().IndexOfAny(s_needsQuotes) < 0)
        {
            text.Append(token);
            return;
        }

        text.Append('"');
        foreach (char c in token)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        text.Append('"');
    }

    private static readonly System.Buffers.SearchValues<char> s_needsQuotes = System.Buffers.SearchValues.Create(" \t\"'\\$`;&|<>(){}*?[]~#\n");

    /// <summary>The matches in iptables-save's order: base matches sorted, modules kept in order (a stable sort).</summary>
    public IReadOnlyList<Match> CanonicalMatches()
    {
        bool sorted = true;
        for (int i = 1; i < Matches.Count; i++)
        {
            if (Matches[i - 1].CanonicalOrder > Matches[i].CanonicalOrder)
            {
                sorted = false;
                break;
            }
        }

        if (sorted)
        {
            return Matches;
        }

        // OrderBy is stable, which keeps modules (and several -m owner) in their given order.
        return Matches.OrderBy(m => m.CanonicalOrder).ToArray();
    }

    public bool Equals(Rule? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null
            && Table == other.Table
            && Chain == other.Chain
            && InsertPosition == other.InsertPosition
            && Target.Equals(other.Target)
            && Matches.Count == other.Matches.Count
            && CanonicalMatches().SequenceEqual(other.CanonicalMatches());
    }

    public override bool Equals(object? obj) => Equals(obj as Rule);

    public override int GetHashCode()
    {
        // Order-insensitive over matches, so it agrees with the canonical equality.
        int matches = 0;
        foreach (Match match in Matches)
        {
            matches ^= match.GetHashCode();
        }

        return HashCode.Combine(Table, Chain, InsertPosition, Target, matches);
    }
}
