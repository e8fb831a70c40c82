namespace Capture.Init.Tests.Golden;

/// <summary>
/// One golden configuration: capture-init's arguments (exactly as a user or the injector writes them), extra environment
/// variables, and the resolv.conf it reads. Its expected outputs live next to this file as
/// <c>NAME.dry-run</c> (stdout of --dry-run), <c>NAME.ipv4.rules</c> and, with IPv6 on, <c>NAME.ipv6.rules</c>.
/// </summary>
public sealed record GoldenCase(string Name, string[] Args, string? ResolvConf = null, (string Name, string Value)[]? Environment = null)
{
    public override string ToString() => Name;
}
