using System.CommandLine;
using System.CommandLine.Help;

namespace Capture.Init.Cli;

/// <summary>capture-init's command line: the root command (apply, istio-iptables compatible) and its parsing quirks.</summary>
internal static class CaptureCli
{
    /// <summary>The word the Istio injector puts first (<c>istio-iptables -p 15001 …</c>); ignored.</summary>
    public const string IstioIptablesWord = "istio-iptables";

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CaptureCliServices services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(services);
        RootCommand root = CreateRootCommand(services);
        ParseResult parseResult = Parse(root, args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction and not CaptureHelp)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parseResult.Errors)
            {
                await services.Console.Error.WriteLineAsync("capture-init: " + error.Message).ConfigureAwait(false);
            }

            return (int)ExitCode.Failure;
        }

        var invocation = new InvocationConfiguration
        {
            Output = services.Console.Out,
            Error = services.Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses with istio-iptables' conventions: a leading <c>istio-iptables</c> word is dropped, <c>@file</c> is not a response file.</summary>
    public static ParseResult Parse(RootCommand root, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == IstioIptablesWord)
        {
            args = args[1..];
        }

        // No response files: an argument starting with '@' is a value, as it is for istio-iptables.
        var configuration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        return root.Parse(args, configuration);
    }

    /// <summary>The root command with every flag; subcommands (explain, diff) are added to it.</summary>
    public static RootCommand CreateRootCommand(CaptureCliServices services)
    {
        var root = new RootCommand("Installs a pod's traffic-capture rules; a drop-in replacement for istio-iptables.");
        CaptureCliOptions.AddTo(root);
        foreach (Option option in root.Options)
        {
            if (option is HelpOption help)
            {
                help.Action = new CaptureHelp(root);
            }
        }

        root.SetAction((parseResult, cancellationToken) => ApplyCommand.RunAsync(parseResult, services, cancellationToken));
        root.Subcommands.Add(ExplainCommand.Create(services));
        root.Subcommands.Add(DiffCommand.Create(services));
        return root;
    }
}
