namespace Capture.Init.Rules;

/// <summary>The chains capture-init creates, named as istio-iptables names them so existing tooling recognises them.</summary>
internal static class ChainNames
{
    public const string Prerouting = "PREROUTING";
    public const string Output = "OUTPUT";
    public const string Inbound = "ISTIO_INBOUND";
    public const string Redirect = "ISTIO_REDIRECT";
    public const string InRedirect = "ISTIO_IN_REDIRECT";
    public const string OutputChain = "ISTIO_OUTPUT";
    public const string OutputDns = "ISTIO_OUTPUT_DNS";
    public const string Divert = "ISTIO_DIVERT";
    public const string TProxy = "ISTIO_TPROXY";
    public const string Drop = "ISTIO_DROP";

    /// <summary>Every chain capture-init may create; a chain with one of these names is considered ours.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Inbound, Redirect, InRedirect, OutputChain, OutputDns, Divert, TProxy, Drop];

    /// <summary>True when <paramref name="chain"/> is one capture-init creates.</summary>
    public static bool IsOurs(string chain) => chain.StartsWith("ISTIO_", StringComparison.Ordinal) && All.Contains(chain);
}
