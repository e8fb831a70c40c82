using Capture.Init.Rules;
using Capture.NativeShims.Namespaces;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Iptables;

/// <summary>
/// Chooses the iptables flavour per family as istio-iptables does (docs/rules.md, "Applying"):
/// <c>--force-iptables-binary</c> if given; else legacy only if it works and already holds rules here; else nft;
/// else the plain <c>iptables</c> names. The <c>-save</c> output read on the way is returned as the state snapshot, so
/// detection costs no process beyond what reading the state needs in the common (nft, clean or ours) case.
/// </summary>
internal sealed partial class IptablesBackendDetector
{
    /// <summary>
    /// Legacy counts as "in use" from this many lines of <c>-save</c> output (docs/rules.md): a table header, a chain and
    /// COMMIT. A fresh namespace prints nothing at all, so the usual case needs no probe.
    /// </summary>
    public const int InUseSaveLines = 3;

    /// <summary>
    /// The "works" probe: a rule no traffic matches (IP protocol 255 is reserved) added and deleted in one restore,
    /// so one process shows the table can be written, and nothing is left behind even if we are killed half way.
    /// </summary>
    public const string ProbePayload = "*nat\n-A INPUT -p 255 -j RETURN\n-D INPUT -p 255 -j RETURN\nCOMMIT\n";

    private readonly IptablesCommands _commands;
    private readonly ILogger _logger;
    private readonly Func<IpFamily, bool> _legacyTablesLoaded;

    /// <param name="commands">Runs the -save/-restore processes.</param>
    /// <param name="logger">Debug: which backend and why.</param>
    /// <param name="legacyTablesLoaded">
    /// Whether the kernel holds any legacy (x_tables) table for the family in the target namespace; false means
    /// <c>iptables-legacy-save</c> would print nothing, so it is not run. Default: always run it.
    /// </param>
    public IptablesBackendDetector(IptablesCommands commands, ILogger logger, Func<IpFamily, bool>? legacyTablesLoaded = null)
    {
        _commands = commands;
        _logger = logger;
        _legacyTablesLoaded = legacyTablesLoaded ?? (_ => true);
    }

    /// <summary>
    /// Reads <c>/proc/thread-self/net/ip_tables_names</c> (<c>ip6_tables_names</c>) inside <paramref name="networkNamespace"/>:
    /// the legacy tables that exist there. Empty or absent (module not loaded) means iptables-legacy-save would print
    /// nothing (fewer than <see cref="InUseSaveLines"/> lines): one process saved on every fresh pod.
    /// </summary>
    public static bool LegacyTablesLoaded(string? networkNamespace, IpFamily family)
    {
        string path = family == IpFamily.V4 ? "/proc/thread-self/net/ip_tables_names" : "/proc/thread-self/net/ip6_tables_names";
        try
        {
            return NetworkNamespace.Run(networkNamespace, () => File.ReadAllText(path).Trim().Length > 0);
        }
        catch (FileNotFoundException)
        {
            return false; // ip_tables (ip6_tables) is not even loaded: no legacy table exists anywhere
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return true; // cannot tell: ask iptables-legacy-save, as docs/rules.md describes
        }
    }

    /// <summary>Picks the backend for <paramref name="family"/>; <paramref name="forced"/> is <c>legacy</c>, <c>nft</c> or null.</summary>
    public async Task<BackendSelection> DetectAsync(IpFamily family, string? forced, CancellationToken cancellationToken)
    {
        if (forced is not null)
        {
            IptablesBackend chosen = forced switch
            {
                "legacy" => IptablesBackend.Legacy(family),
                "nft" => IptablesBackend.Nft(family),
                _ => throw new CaptureException($"--force-iptables-binary: '{forced}' is not a backend (expected legacy or nft)"),
            };
            CommandResult save = await _commands.SaveAsync(chosen, cancellationToken).ConfigureAwait(false);
            if (!save.Succeeded)
            {
                throw new CaptureException($"--force-iptables-binary {forced}: {chosen.Save} does not work here: {save.Describe()}");
            }

            Log.BackendChosen(_logger, chosen.Iptables, "forced by --force-iptables-binary");
            return new BackendSelection(chosen, save.Stdout);
        }

        IptablesBackend legacy = IptablesBackend.Legacy(family);
        IptablesBackend nft = IptablesBackend.Nft(family);
        // Both reads start at once: nft's is the snapshot in the common case, and waiting for legacy's first would
        // add a process start to the critical path for nothing.
        Task<CommandResult> legacySave = _legacyTablesLoaded(family)
            ? _commands.SaveAsync(legacy, cancellationToken)
            : Task.FromResult(new CommandResult(legacy.Save + " (not run: no legacy table in this namespace)", 0, string.Empty, string.Empty));
        Task<CommandResult> nftSave = _commands.SaveAsync(nft, cancellationToken);
        CommandResult legacyResult = await legacySave.ConfigureAwait(false);
        CommandResult nftResult = await nftSave.ConfigureAwait(false);

        if (legacyResult.Succeeded && CountLines(legacyResult.Stdout) >= InUseSaveLines
            && await WorksAsync(legacy, cancellationToken).ConfigureAwait(false))
        {
            Log.BackendChosen(_logger, legacy.Iptables, "legacy already holds rules in this namespace");
            return new BackendSelection(legacy, legacyResult.Stdout);
        }

        // nft: a successful -save already proves nf_tables answers in this namespace, and the apply that follows is the
        // real write test (its failure is reported with the tool's error), so the add/delete probe would only cost a
        // process here. It is kept for legacy and plain, where -save can succeed on a kernel that refuses writes.
        if (nftResult.Succeeded)
        {
            Log.BackendChosen(_logger, nft.Iptables, "default");
            return new BackendSelection(nft, nftResult.Stdout);
        }

        IptablesBackend plain = IptablesBackend.Plain(family);
        CommandResult plainResult = await _commands.SaveAsync(plain, cancellationToken).ConfigureAwait(false);
        if (plainResult.Succeeded && await WorksAsync(plain, cancellationToken).ConfigureAwait(false))
        {
            Log.BackendChosen(_logger, plain.Iptables, "iptables-nft does not work here");
            return new BackendSelection(plain, plainResult.Stdout);
        }

        throw new CaptureException(
            $"no working {(family == IpFamily.V4 ? "iptables" : "ip6tables")} here: {nftResult.Describe()}; {plainResult.Describe()}");
    }

    private async Task<bool> WorksAsync(IptablesBackend backend, CancellationToken cancellationToken)
    {
        CommandResult probe = await _commands.RestoreAsync(backend, ProbePayload, cancellationToken).ConfigureAwait(false);
        if (!probe.Succeeded && _logger.IsEnabled(LogLevel.Debug))
        {
            string error = probe.Describe();
            Log.ProbeFailed(_logger, backend.Iptables, error);
        }

        return probe.Succeeded;
    }

    /// <summary>Lines with anything but white space on them (a plain loop: EnumerateLines' vectorised search is JIT work at start-up).</summary>
    internal static int CountLines(string text)
    {
        int count = 0;
        bool blank = true;
        foreach (char c in text)
        {
            if (c is '\n' or '\r')
            {
                count += blank ? 0 : 1;
                blank = true;
            }
            else if (blank && !char.IsWhiteSpace(c))
            {
                blank = false;
            }
        }

        return count + (blank ? 0 : 1);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 402, Level = LogLevel.Debug, EventName = "BackendChosen", Message = "Using {Binary}: {Reason}")]
        public static partial void BackendChosen(ILogger logger, string binary, string reason);

        [LoggerMessage(EventId = 403, Level = LogLevel.Debug, EventName = "BackendProbeFailed", SkipEnabledCheck = true, Message = "{Binary} cannot write rules here: {Error}")]
        public static partial void ProbeFailed(ILogger logger, string binary, string error);
    }
}
