using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>One line of the path: where the packet is (hook, table, chain, rule number) and what happened there.</summary>
internal sealed record TraceStep
{
    public required TraceStepKind Kind { get; init; }

    public required Hook Hook { get; init; }

    public Table? Table { get; init; }

    public string? Chain { get; init; }

    /// <summary>1-based position in the chain, as <c>iptables -L --line-numbers</c> counts.</summary>
    public int? RuleNumber { get; init; }

    /// <summary>The rule as iptables-save writes it: <c>-A CHAIN matches -j TARGET</c>.</summary>
    public string? RuleText { get; init; }

    /// <summary>What happened, in words: "jump to ISTIO_OUTPUT", "REDIRECT to 127.0.0.1:15001", "policy ACCEPT".</summary>
    public required string Detail { get; init; }

    /// <summary>Nesting depth of user chains (0 = the hook's built-in chain), for indentation.</summary>
    public int Depth { get; init; }
}
