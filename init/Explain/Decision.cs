using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>A matched rule that shaped the verdict, with where it matched; <see cref="Rule"/> is null for a chain policy.</summary>
internal sealed record Decision(Hook Hook, Table Table, string Chain, int? Number, Rule? Rule, DecisionKind Kind)
{
    /// <summary>"nat ISTIO_OUTPUT #3: -A ISTIO_OUTPUT …", or "nat OUTPUT policy", in <paramref name="notation"/>'s names.</summary>
    public string Describe(IRuleNotation notation) => Rule is null
        ? notation.Table(Table) + " " + notation.Chain(Chain) + " policy"
        : notation.Table(Table) + " " + notation.Chain(Chain) + " #" + Number + ": " + notation.Rule(Rule);
}
