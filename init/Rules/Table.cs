namespace Capture.Init.Rules;

/// <summary>An iptables table. The declaration order is the order tables are rendered in (docs/rules.md: filter, mangle, nat, raw).</summary>
internal enum Table
{
    /// <summary>The filter table.</summary>
    Filter,

    /// <summary>The mangle table (TPROXY, marks, drop-invalid).</summary>
    Mangle,

    /// <summary>The nat table (REDIRECT).</summary>
    Nat,

    /// <summary>The raw table (DNS conntrack zones).</summary>
    Raw,
}
