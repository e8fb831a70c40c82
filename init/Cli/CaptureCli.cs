using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Capture.Init.Cli;

/// <summary>capture-init's command line: the root command (apply, istio-iptables compatible) and its parsing quirks.</summary>
internal static class CaptureCli
{
    /// <summary>The word the Istio injector puts first (<c>istio-iptables -p 15001 …</c>); ignored.</summary>
    public const string IstioIptablesWord = "istio-iptables";

    /// <summary>The command's name, in usage lines and help.</summary>
    public const string Name = "capture-init";

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CaptureCliServices services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(services);
        Command root = CreateRootCommand(services);
        ParseResult parseResult = Parse(root, args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction and not CaptureHelp)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parseResult.Errors)
            {
                await services.Console.Error.WriteLineAsync("capture-init: " + ErrorText.Shorten(error.Message)).ConfigureAwait(false);
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
    public static ParseResult Parse(Command root, string[] args)
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
    /// <remarks>
    /// A plain <see cref="Command"/> with its own --help and --version rather than System.CommandLine's RootCommand:
    /// RootCommand's HelpOption and VersionOption read their descriptions from the library's resources, and that first
    /// ResourceManager lookup costs 10–17 ms, a fifth of an apply. Subcommands still get the library's help. Still so
    /// under Native AOT: a RootCommand build measured 15.2 / 30.7 ms median for --version against 11.9 / 19.6 ms for this
    /// one (two interleaved scripts/bench-init.sh runs on a loaded machine, 2026-12-03).
    /// </remarks>
    public static Command CreateRootCommand(CaptureCliServices services)
    {
        var root = new Command(Name, "Installs a pod's traffic-capture rules; a drop-in replacement for istio-iptables.");
        CaptureCliOptions.AddTo(root);
        root.Options.Add(new Option<bool>("--help", "-h", "-?")
        {
            Description = "Show help and usage information",
            Arity = ArgumentArity.Zero,
            Recursive = true,
            Action = new CaptureHelp(root),
        });
        root.Options.Add(new Option<bool>("--version")
        {
            Description = "Show version information",
            Arity = ArgumentArity.Zero,
            Action = new VersionAction(),
        });
        root.SetAction((parseResult, cancellationToken) => ApplyCommand.RunAsync(parseResult, services, cancellationToken));
        root.Subcommands.Add(ExplainCommand.Create(services));
        root.Subcommands.Add(DiffCommand.Create(services));
        return root;
    }

    /// <summary>
    /// <c>--version</c>: the informational version (e.g. <c>1.0.0+sha</c>) and how the code runs: <c>(Native AOT)</c> for the
    /// published executable, <c>(JIT)</c> for the build output (<c>dotnet capture-init.dll</c>). The integration tests
    /// check it, so a JIT build put where the published executable belongs fails them. Told by the JIT's own count:
    /// RuntimeFeature.IsDynamicCodeSupported is false in the JIT build too, since PublishAot sets that switch for it.
    /// </summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            string version = typeof(CaptureCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? typeof(CaptureCli).Assembly.GetName().Version?.ToString() ?? "unknown";
            string runtime = System.Runtime.JitInfo.GetCompiledMethodCount() == 0 ? "Native AOT" : "JIT";
            parseResult.InvocationConfiguration.Output.WriteLine(version + " (" + runtime + ")");
            return 0;
        }
    }
}
