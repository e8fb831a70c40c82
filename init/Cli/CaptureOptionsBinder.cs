using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Logging;
using Capture.Init.Rules;

namespace Capture.Init.Cli;

/// <summary>
/// Binds every flag and environment variable to <see cref="CaptureOptions"/>, in one place. Values are converted here
/// (reporting text that is not a number, a CIDR, a boolean…); ranges and cross-field rules are
/// <see cref="CaptureOptions.Validate"/>'s. All problems are collected, none stops the others from being found.
/// </summary>
internal sealed partial class CaptureOptionsBinder
{
    private readonly ParseResult _parseResult;
    private readonly IProcessEnvironment _environment;
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    private CaptureOptionsBinder(ParseResult parseResult, IProcessEnvironment environment)
    {
        _parseResult = parseResult;
        _environment = environment;
    }

    /// <summary>Binds and validates; the options are only meaningful when <see cref="BindResult.Succeeded"/>.</summary>
    public static BindResult Bind(ParseResult parseResult, IProcessEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(environment);
        var binder = new CaptureOptionsBinder(parseResult, environment);
        binder.CheckTrailingFlags();
        CaptureOptions options = binder.BindAll();
        if (binder._errors.Count == 0)
        {
            binder._errors.AddRange(options.Validate());
        }
        else
        {
            // Conversion problems first, then the range checks of whatever did convert.
            foreach (string error in options.Validate())
            {
                if (!binder._errors.Contains(error))
                {
                    binder._errors.Add(error);
                }
            }
        }

        if (options.Run.NativeNftables && options.Run.ForceIptablesBinary is not null)
        {
            // As Istio: the two ask for different programs; nftables wins and the other is said out loud.
            binder._warnings.Add($"--force-iptables-binary {options.Run.ForceIptablesBinary} is ignored: --native-nftables applies the rules with nft");
        }

        return new BindResult(options, binder._errors, binder._warnings);
    }

    /// <summary>
    /// The one place precedence is decided, as docs/rules.md and istio-iptables have it:
    /// command line &gt; additional env var &gt; primary env var &gt; default (null here).
    /// An environment variable set to the empty string counts as unset (viper does the same); an explicit empty
    /// argument (<c>-x ""</c>) is a value.
    /// </summary>
    private Setting? Resolve(CliFlag flag)
    {
        OptionResult? given = _parseResult.GetResult(flag.Option);
        if (flag.ApplyOnly && !Applying)
        {
            // explain and diff never read these; a user who gives one expects it to change something, so say it does
            // not. Their environment variables are ignored instead: a pod's istio-init env (DRY_RUN, RUN_VALIDATION…)
            // is what a user copies to explain it, and must not make explain fail.
            if (given is not null && !given.Implicit)
            {
                _errors.Add($"{flag.DisplayName} does not apply to '{CaptureCli.Name} {_parseResult.CommandResult.Command.Name}': it only matters when applying rules");
            }

            return null;
        }

        if (given is not null && !given.Implicit)
        {
            string value = given.Tokens.Count > 0 ? given.Tokens[^1].Value : (flag.IsBoolean ? "true" : "");
            return new Setting(value, flag.DisplayName);
        }

        for (int i = flag.Environment.Count - 1; i >= 0; i--) // the additional variable (last) wins over the primary
        {
            string name = flag.Environment[i];
            string? value = _environment.GetVariable(name);
            if (!string.IsNullOrEmpty(value))
            {
                return new Setting(value, flag.DisplayName + " (from $" + name + ")");
            }
        }

        return null;
    }

    /// <summary>
    /// A flag that takes a value, given last with none ("-p 15001 … -p"): the parser lets the earlier value stand,
    /// but the user meant to give one and did not, so it is an error.
    /// </summary>
    private void CheckTrailingFlags()
    {
        IReadOnlyList<System.CommandLine.Parsing.Token> tokens = _parseResult.Tokens;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type != System.CommandLine.Parsing.TokenType.Option
                || (i + 1 < tokens.Count && tokens[i + 1].Type == System.CommandLine.Parsing.TokenType.Argument))
            {
                continue;
            }

            foreach (CliFlag flag in CaptureCliOptions.All)
            {
                if (!flag.IsBoolean && (tokens[i].Value == flag.LongName || tokens[i].Value == flag.ShortName))
                {
                    _errors.Add($"{flag.DisplayName}: no value after '{tokens[i].Value}' (expected {flag.ValueName})");
                    break;
                }
            }
        }
    }

    /// <summary>True for the root command (apply); false for a subcommand (explain, diff), which binds no <see cref="CliFlag.ApplyOnly"/> flag.</summary>
    private bool Applying => _parseResult.CommandResult.Parent is null;

    private Setting? ResolveEnvironment(string name)
    {
        string? value = _environment.GetVariable(name);
        return string.IsNullOrEmpty(value) ? null : new Setting(value, "$" + name);
    }

    private CaptureOptions BindAll()
    {
        RuleOptions rules = RuleOptions.Default;
        RunOptions run = RunOptions.Default;
        IReadOnlyList<string> uids = Ids(CaptureCliOptions.ProxyUid) ?? [DefaultProxyUid()];
        IReadOnlyList<string> gids = Ids(CaptureCliOptions.ProxyGid) ?? uids;
        (bool inboundAll, IReadOnlyList<int> inboundPorts) = PortsOrAll(CaptureCliOptions.InboundPorts);
        (bool outboundAll, IReadOnlyList<IPNetwork> outboundCidrs) = CidrsOrAll(CaptureCliOptions.OutboundCidrs, allowAll: true);
        (_, IReadOnlyList<IPNetwork> excludeCidrs) = CidrsOrAll(CaptureCliOptions.OutboundExcludeCidrs, allowAll: false);
        (IReadOnlyList<string> groupsInclude, IReadOnlyList<string> groupsExclude) = OwnerGroups();
        string logLevel = Text(CaptureCliOptions.LogOutputLevel) ?? run.LogOutputLevel;
        if (!LogSettings.TryParseLevel(logLevel, out _))
        {
            _errors.Add($"{CaptureCliOptions.LogOutputLevel.DisplayName}: '{logLevel}' is not a log level (expected debug, info, warn, error, fatal or none, optionally as default:LEVEL)");
        }

        return new CaptureOptions(
            rules with
            {
                ProxyPort = Port(CaptureCliOptions.ProxyPort) ?? rules.ProxyPort,
                InboundCapturePort = Port(CaptureCliOptions.InboundCapturePort) ?? rules.InboundCapturePort,
                InboundTunnelPort = Port(CaptureCliOptions.InboundTunnelPort) ?? rules.InboundTunnelPort,
                ProxyUids = uids,
                ProxyGids = gids,
                InterceptionMode = Mode(),
                InboundAllPorts = inboundAll,
                InboundPorts = inboundPorts,
                LocalExcludePorts = PortList(CaptureCliOptions.LocalExcludePorts),
                ExcludeInterfaces = Interfaces(CaptureCliOptions.ExcludeInterfaces),
                OutboundAllCidrs = outboundAll,
                OutboundCidrs = outboundCidrs,
                OutboundExcludeCidrs = excludeCidrs,
                OutboundPorts = PortList(CaptureCliOptions.OutboundPorts),
                OutboundExcludePorts = PortList(CaptureCliOptions.OutboundExcludePorts),
                KubeVirtInterfaces = Interfaces(CaptureCliOptions.KubeVirtInterfaces),
                TProxyMark = NonEmptyText(CaptureCliOptions.TProxyMark) ?? rules.TProxyMark,
                TProxyRouteTable = NonEmptyText(CaptureCliOptions.TProxyRouteTable) ?? rules.TProxyRouteTable,
                RedirectDns = Bool(CaptureCliOptions.RedirectDns),
                CaptureAllDns = Bool(CaptureCliOptions.CaptureAllDns),
                DropInvalid = Bool(CaptureCliOptions.DropInvalid),
                OwnerGroupsInclude = groupsInclude,
                OwnerGroupsExclude = groupsExclude,
                Ipv4LoopbackCidr = LoopbackCidr() ?? rules.Ipv4LoopbackCidr,
                Ipv4LoopbackCidrText = LoopbackCidrText(),
            },
            run with
            {
                DualStack = Bool(CaptureCliOptions.DualStack),
                Ipv6Mode = Ipv6(),
                ResolvConfPath = NonEmptyText(CaptureCliOptions.ResolvConf) ?? run.ResolvConfPath,
                DryRun = Bool(CaptureCliOptions.DryRun),
                RunValidation = Bool(CaptureCliOptions.RunValidation),
                SkipRuleApply = Bool(CaptureCliOptions.SkipRuleApply),
                ProbePort = Port(CaptureCliOptions.ProbePort) ?? run.ProbePort,
                ProbeTimeout = Duration(CaptureCliOptions.ProbeTimeout) ?? run.ProbeTimeout,
                Reconcile = Bool(CaptureCliOptions.Reconcile),
                CleanupOnly = Bool(CaptureCliOptions.CleanupOnly),
                ForceApply = Bool(CaptureCliOptions.ForceApply),
                NativeNftables = Bool(CaptureCliOptions.NativeNftables),
                ForceIptablesBinary = NonEmptyText(CaptureCliOptions.ForceIptablesBinary),
                NetworkNamespace = NonEmptyText(CaptureCliOptions.NetworkNamespace),
                LockTimeout = Duration(CaptureCliOptions.LockTimeout) ?? run.LockTimeout,
                LogOutputLevel = logLevel,
                LogAsJson = Bool(CaptureCliOptions.LogAsJson),
            });
    }

    private string DefaultProxyUid()
    {
        string user = ResolveEnvironment(EnvironmentNames.EnvoyUser)?.Value ?? EnvironmentNames.DefaultEnvoyUser;
        return _environment.LookupUserId(user) ?? EnvironmentNames.DefaultProxyId;
    }

    private readonly record struct Setting(string Value, string Source);
}
