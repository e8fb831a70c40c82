namespace Capture.Init.Nftables;

/// <summary>The chain names of Istio's nftables tables (lower-case, dashes; the base chains are named after their hook).</summary>
internal static class NftChains
{
    public const string Prerouting = "prerouting";
    public const string Output = "output";
    public const string Inbound = "istio-inbound";
    public const string Redirect = "istio-redirect";
    public const string InRedirect = "istio-in-redirect";
    public const string OutputChain = "istio-output";
    public const string OutputDns = "istio-output-dns";
    public const string Divert = "istio-divert";
    public const string TProxy = "istio-tproxy";
    public const string Drop = "istio-drop";
}
