using System.Globalization;
using Capture.Init.Iptables;

namespace Capture.Init.Nftables;

/// <summary>
/// The <c>nft</c> processes capture-init runs, through the same runner as the iptables tools (so inside
/// <c>--network-namespace</c>): <c>nft --version</c>, <c>nft -j list ruleset</c> and <c>nft -f -</c>.
/// </summary>
internal sealed class NftCommands
{
    /// <summary>The oldest nft Istio's knftables accepts (older ones lack what the transaction relies on).</summary>
    public static readonly Version MinimumVersion = new(1, 0, 1);

    private const string Nft = "nft";

    private readonly IIptablesRunner _runner;

    public NftCommands(IIptablesRunner runner)
    {
        _runner = runner;
    }

    /// <summary>Runs <c>nft --version</c> and returns the version; throws a one-line error if nft is missing or too old.</summary>
    public async Task<Version> CheckVersionAsync(CancellationToken cancellationToken)
    {
        CommandResult result = await _runner.RunAsync(Nft, ["--version"], null, cancellationToken).ConfigureAwait(false);
        Fail(result, "reading the nft version");
        if (!TryParseVersion(result.Stdout, out Version version))
        {
            throw new CaptureException($"--native-nftables: cannot read the version of nft from '{result.Stdout.Trim()}'");
        }

        if (version < MinimumVersion)
        {
            throw new CaptureException($"--native-nftables needs nft {MinimumVersion} or later; this nft is {version} ('{result.Stdout.Trim()}')");
        }

        return version;
    }

    /// <summary><c>nft -j list ruleset</c>, parsed: Istio's tables as rules, other tables' chain names.</summary>
    public async Task<NftLiveRuleset> ListAsync(CancellationToken cancellationToken)
    {
        CommandResult result = await _runner.RunAsync(Nft, ["-j", "list", "ruleset"], null, cancellationToken).ConfigureAwait(false);
        Fail(result, "reading the live nft tables");
        try
        {
            return NftJsonParser.Parse(result.Stdout);
        }
        catch (FormatException exception)
        {
            throw new CaptureException($"cannot read the output of 'nft -j list ruleset': {exception.Message}", exception);
        }
    }

    /// <summary>Applies <paramref name="transaction"/> with one <c>nft -f -</c>: all of it, or (on failure) none of it.</summary>
    public async Task ApplyAsync(string transaction, string what, CancellationToken cancellationToken)
    {
        CommandResult result = await _runner.RunAsync(Nft, ["-f", "-"], transaction, cancellationToken).ConfigureAwait(false);
        Fail(result, what);
    }

    /// <summary>Reads <c>nftables v1.0.6 (Lester Gooch #5)</c>.</summary>
    public static bool TryParseVersion(string text, out Version version)
    {
        version = new Version(0, 0);
        int start = text.IndexOf(" v", StringComparison.Ordinal);
        if (!text.StartsWith("nftables", StringComparison.Ordinal) || start < 0)
        {
            return false;
        }

        int end = start + 2;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        string[] parts = text[(start + 2)..end].Split('.');
        int[] numbers = new int[3];
        if (parts.Length is < 1 or > 3)
        {
            return false;
        }

        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = new Version(numbers[0], numbers[1], numbers[2]);
        return true;
    }

    private static void Fail(CommandResult result, string what)
    {
        if (result.ExitCode == CommandResult.NotFoundExitCode && result.Stdout.Length == 0 && result.Stderr.StartsWith(Nft + ":", StringComparison.Ordinal))
        {
            throw new CaptureException("--native-nftables is on, but the nft binary is missing in this image (install nftables): " + result.Stderr.Trim());
        }

        if (!result.Succeeded)
        {
            throw new CaptureException($"{what} failed: {result.Describe()}");
        }
    }
}
