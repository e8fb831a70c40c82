using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>
/// What the walk needs to know about the backend whose rules it follows: which tables have a base chain on a hook and
/// in what order they run, and how tables, chains and rules are named in what it prints. iptables by default
/// (<see cref="IptablesNotation"/>); <c>--native-nftables</c> supplies nft's, so the same walk and the same verdict
/// wording serve both.
/// </summary>
internal interface IRuleNotation
{
    /// <summary>"iptables" or "nftables", for tools reading the JSON.</summary>
    string Backend { get; }

    /// <summary>The tables whose base chain on <paramref name="hook"/> the packet meets, in priority order.</summary>
    IReadOnlyList<Table> Tables(Hook hook);

    /// <summary>The table as the backend names it: <c>nat</c>, or <c>istio-proxy-nat</c>.</summary>
    string Table(Table table);

    /// <summary>A chain of the rule model as the backend names it: <c>ISTIO_OUTPUT</c>, or <c>istio-output</c>.</summary>
    string Chain(string chain);

    /// <summary>A rule as the backend prints it: <c>-A ISTIO_OUTPUT -d 10.0.0.0/8 -j RETURN</c>, or nft's text.</summary>
    string Rule(Rule rule);

    /// <summary>A base chain's policy as the backend prints it (<c>ACCEPT</c>, or <c>accept</c>).</summary>
    string Policy(string policy);
}
