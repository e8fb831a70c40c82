using System.Text;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// One nft rule of an <c>inet</c> table: its chain, the matches in the order written, the statements (counter
/// included, in the order written), and for Istio's <c>insert rule … index N</c> the 0-based index (null = appended).
/// </summary>
/// <remarks>
/// Equality is what the kernel keeps: nft drops a <c>meta l4proto tcp</c> that a later <c>tcp dport</c> already implies
/// when it lists a rule, so such a match is left out of the comparison (<see cref="ComparedMatches"/>); values compare
/// by their listed form (<see cref="NftValue"/>); the index is how the rule got its place, not part of the rule.
/// </remarks>
internal sealed class NftRule : IEquatable<NftRule>
{
    public NftRule(Table table, string chain, IReadOnlyList<NftMatch> matches, IReadOnlyList<NftStatement> statements, int? index = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(chain);
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(statements);
        if (index is { } position)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(position, nameof(index));
        }

        Table = table;
        Chain = chain;
        Matches = matches;
        Statements = statements;
        Index = index;
    }

    public Table Table { get; }

    public string Chain { get; }

    public IReadOnlyList<NftMatch> Matches { get; }

    public IReadOnlyList<NftStatement> Statements { get; }

    /// <summary>0-based index of <c>insert rule … index N</c>; null for <c>add rule</c>.</summary>
    public int? Index { get; }

    /// <summary>The chain this rule jumps to, or null.</summary>
    public string? JumpChain
    {
        get
        {
            foreach (NftStatement statement in Statements)
            {
                if (statement.Kind == NftStatementKind.Jump)
                {
                    return statement.Name;
                }
            }

            return null;
        }
    }

    /// <summary>The same rule without an index (appended).</summary>
    public NftRule WithoutIndex() => Index is null ? this : new NftRule(Table, Chain, Matches, Statements);

    /// <summary>The same rule with owner ids replaced by <paramref name="resolve"/>'s answer (null: kept as given).</summary>
    public NftRule WithOwnerIds(Func<OwnerKind, string, string?> resolve)
    {
        NftMatch[]? changed = null;
        for (int i = 0; i < Matches.Count; i++)
        {
            NftMatch match = Matches[i];
            if (match.Field is not (NftField.SkUid or NftField.SkGid))
            {
                continue;
            }

            string? id = resolve(match.Field == NftField.SkUid ? OwnerKind.Uid : OwnerKind.Gid, match.Value.Text);
            if (id is null || id == match.Value.Key)
            {
                continue;
            }

            changed ??= [.. Matches];
            changed[i] = match with { Value = new NftValue(match.Value.Text, id) };
        }

        return changed is null ? this : new NftRule(Table, Chain, changed, Statements, Index);
    }

    /// <summary>The rule's own text after the chain, e.g. <c>meta l4proto tcp tcp dport 15008 counter return</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(96);
        foreach (NftMatch match in Matches)
        {
            text.Append(match.ToString()).Append(' ');
        }

        foreach (NftStatement statement in Statements)
        {
            text.Append(statement.ToString()).Append(' ');
        }

        return text.ToString(0, Math.Max(0, text.Length - 1));
    }

    /// <summary>The matches as nft keeps them: <c>meta l4proto P</c> left out where a P header match implies it.</summary>
    public IReadOnlyList<NftMatch> ComparedMatches()
    {
        List<NftMatch>? kept = null;
        for (int i = 0; i < Matches.Count; i++)
        {
            NftMatch match = Matches[i];
            if (match.Field == NftField.L4Proto && !match.Negated && ImpliedByHeaderMatch(match.Value.Key))
            {
                if (kept is null)
                {
                    kept = new List<NftMatch>(Matches.Count);
                    for (int j = 0; j < i; j++)
                    {
                        kept.Add(Matches[j]);
                    }
                }

                continue;
            }

            kept?.Add(match);
        }

        return kept ?? Matches;
    }

    private bool ImpliedByHeaderMatch(string protocol)
    {
        foreach (NftMatch match in Matches)
        {
            if (match.TransportProtocol == protocol)
            {
                return true;
            }
        }

        return false;
    }

    public bool Equals(NftRule? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null
            && Table == other.Table
            && Chain == other.Chain
            && Statements.SequenceEqual(other.Statements)
            && ComparedMatches().SequenceEqual(other.ComparedMatches());
    }

    public override bool Equals(object? obj) => Equals(obj as NftRule);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Table);
        hash.Add(Chain);
        foreach (NftMatch match in ComparedMatches())
        {
            hash.Add(match);
        }

        foreach (NftStatement statement in Statements)
        {
            hash.Add(statement);
        }

        return hash.ToHashCode();
    }
}
