using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;

namespace Capture.Init.Cli;

/// <summary>
/// <c>capture-init --help</c>: flags grouped by what they control, each with its short form, environment variables and
/// default, then the environment-only variables and the exit codes. <c>explain --help</c> and <c>diff --help</c> use the
/// same layout with their own options first and only the flags they read (<see cref="SubcommandHelp"/>); rendering
/// them here rather than with System.CommandLine's HelpAction also keeps the library's resources unloaded.
/// </summary>
internal sealed class CaptureHelp : SynchronousCommandLineAction
{
    private const int Column = 46;

    private readonly Command _root;

    public CaptureHelp(Command root) => _root = root;

    public override int Invoke(ParseResult parseResult)
    {
        Command command = parseResult.CommandResult.Command;
        if (command == _root)
        {
            parseResult.InvocationConfiguration.Output.Write(Render());
            return 0;
        }

        SubcommandHelp? help = command.Name switch
        {
            ExplainCommand.Name => ExplainCommand.Help,
            DiffCommand.Name => DiffCommand.Help,
            _ => null,
        };
        if (help is null)
        {
            return new HelpAction().Invoke(parseResult);
        }

        parseResult.InvocationConfiguration.Output.Write(Render(command.Name, help));
        return 0;
    }

    /// <summary>The help text, LF line endings.</summary>
    public static string Render()
    {
        var text = new StringBuilder(6000);
        text.Append("capture-init: installs a pod's traffic-capture rules; a drop-in replacement for istio-iptables.\n\n");
        text.Append("Usage: capture-init [istio-iptables] [options]\n");
        text.Append("       capture-init explain [options] --dst ADDRESS:PORT [--live]   why a connection is (not) captured\n");
        text.Append("       capture-init diff [options] [--quiet]                        planned vs live rules: exit 0 agree, 2 drift\n\n");
        text.Append("Flags take istio-iptables' names and values. Lists are comma-separated; empty items are ignored.\n");
        text.Append("Precedence: command line > second environment variable > first environment variable > default.\n");
        text.Append("Boolean flags: --flag, --flag=true, --flag=false.\n");

        AppendFlags(text, subcommand: false);
        AppendEnvironmentOnly(text);
        text.Append("\nOther:\n");
        AppendRow(text, "  -h, --help", "Show this help.");
        AppendRow(text, "  --version", "Show the version.");
        text.Append("\nExit codes: 0 success (or nothing to do), 1 any error, 126 validation failed.\n");
        return text.ToString();
    }

    /// <summary>The help of subcommand <paramref name="name"/>, LF line endings.</summary>
    public static string Render(string name, SubcommandHelp help)
    {
        ArgumentNullException.ThrowIfNull(help);
        var text = new StringBuilder(6000);
        text.Append(CaptureCli.Name).Append(' ').Append(name).Append(": ").Append(help.Summary).Append("\n\n");
        for (int i = 0; i < help.Usage.Count; i++)
        {
            text.Append(i == 0 ? "Usage: " : "       ").Append(help.Usage[i]).Append('\n');
        }

        text.Append('\n').Append(help.Introduction).Append('\n');
        foreach (HelpSection section in help.Sections)
        {
            text.Append('\n').Append(section.Title).Append(":\n");
            foreach (HelpRow row in section.Rows)
            {
                AppendRow(text, "  " + row.Usage, row.Description);
                AppendRow(text, "", "(default: " + row.DefaultText + ")");
            }
        }

        text.Append("\nCapture flags: the same as capture-init's, with the same environment variables and precedence (command\n");
        text.Append("line > second environment variable > first environment variable > default).\n");
        AppendFlags(text, subcommand: true);
        AppendEnvironmentOnly(text);
        text.Append("\nOther:\n");
        AppendRow(text, "  -h, --help", "Show this help.");
        text.Append("\nExit codes: ").Append(help.ExitCodes).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The capture flags by group. A subcommand lists no <see cref="CliFlag.ApplyOnly"/> flag, and the apply flags it
    /// does read (--drop-invalid changes the rules; the namespace and backend say where live rules are read) get a
    /// title that does not say "Applying".
    /// </summary>
    private static void AppendFlags(StringBuilder text, bool subcommand)
    {
        string? group = null;
        foreach (CliFlag flag in CaptureCliOptions.All)
        {
            if (subcommand && flag.ApplyOnly)
            {
                continue;
            }

            string title = subcommand && flag.Group == CaptureCliOptions.Applying ? "Other rules, network namespace and backend" : flag.Group;
            if (title != group)
            {
                group = title;
                text.Append('\n').Append(group).Append(":\n");
            }

            string left = "  " + (flag.ShortName is null ? "    " : flag.ShortName + ", ") + flag.LongName
                + (flag.ValueName is null ? "" : " " + flag.ValueName);
            AppendRow(text, left, flag.Description);
            string env = flag.Environment.Count == 0 ? "" : "env " + string.Join(", ", flag.Environment) + "; ";
            AppendRow(text, "", "(" + env + "default: " + flag.DefaultText + ")");
        }
    }

    private static void AppendEnvironmentOnly(StringBuilder text)
    {
        text.Append("\nEnvironment only:\n");
        foreach ((string name, string defaultText, string description) in CaptureCliOptions.EnvironmentOnly)
        {
            AppendRow(text, "  " + name, description);
            AppendRow(text, "", "(default: " + defaultText + ")");
        }
    }

    private static void AppendRow(StringBuilder text, string left, string right)
    {
        text.Append(left);
        if (left.Length >= Column)
        {
            text.Append('\n').Append(' ', Column);
        }
        else
        {
            text.Append(' ', Column - left.Length);
        }

        text.Append(right).Append('\n');
    }
}
