using System.CommandLine;

namespace Capture.Init.Cli;

/// <summary>
/// One flag of capture-init: its System.CommandLine option (values kept as text, converted and checked by
/// <see cref="CaptureOptionsBinder"/> so every problem is reported at once with a clear message), its environment
/// variables and what <c>--help</c> says about it.
/// </summary>
internal sealed class CliFlag
{
    public CliFlag(string group, string longName, string? shortName, string? valueName, string defaultText, string description, params string[] environment)
    {
        Group = group;
        LongName = longName;
        ShortName = shortName;
        ValueName = valueName;
        DefaultText = defaultText;
        Description = description;
        Environment = environment;
        Option = shortName is null ? new Option<string[]>(longName) : new Option<string[]>(longName, shortName);
        Option.Description = description;

        // Go's flag package (istio-iptables' cobra/pflag): a flag given twice keeps the last value, so every occurrence
        // is collected, one token each, and the binder takes the last. Booleans: "--dry-run" alone is true,
        // "--dry-run=false" false.
        Option.AllowMultipleArgumentsPerToken = false;
        Option.Arity = IsBoolean ? ArgumentArity.ZeroOrMore : ArgumentArity.OneOrMore;
    }

    /// <summary>The <c>--help</c> section this flag is listed in.</summary>
    public string Group { get; }

    /// <summary><c>--envoy-port</c>.</summary>
    public string LongName { get; }

    /// <summary><c>-p</c>, or null.</summary>
    public string? ShortName { get; }

    /// <summary>What the value looks like in help (<c>PORT</c>); null for a boolean flag.</summary>
    public string? ValueName { get; }

    /// <summary>True for flags that take no value (an optional <c>=true|false</c>).</summary>
    public bool IsBoolean => ValueName is null;

    /// <summary>The default, as help shows it.</summary>
    public string DefaultText { get; }

    public string Description { get; }

    /// <summary>Environment variables, primary first, then the additional one (which wins over the primary).</summary>
    public IReadOnlyList<string> Environment { get; }

    public Option<string[]> Option { get; }

    /// <summary>
    /// True for flags only apply reads (dry run, cleanup, reconcile, validation…): they change nothing in the rules, so
    /// explain and diff do not list them and refuse them on the command line. Defaults to false.
    /// </summary>
    public bool ApplyOnly { get; init; }

    /// <summary>How errors name the flag: <c>-p/--envoy-port</c>.</summary>
    public string DisplayName => ShortName is null ? LongName : ShortName + "/" + LongName;
}
