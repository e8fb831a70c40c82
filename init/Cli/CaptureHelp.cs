using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;

namespace Capture.Init.Cli;

/// <summary>
/// <c>capture-init --help</c>: flags grouped by what they control, each with its short form, environment variables and
/// default, then the environment-only variables and the exit codes. Subcommands keep System.CommandLine's help.
/// </summary>
internal sealed class CaptureHelp : SynchronousCommandLineAction
{
    private const int Column = 46;

    private readonly Command _root;

    public CaptureHelp(Command root) => _root = root;

    public override int Invoke(ParseResult parseResult)
    {
        if (parseResult.CommandResult.Command != _root)
        {
            return new HelpAction().Invoke(parseResult);
        }

        parseResult.InvocationConfiguration.Output.Write(Render());
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

        string? group = null;
        foreach (CliFlag flag in CaptureCliOptions.All)
        {
            if (flag.Group != group)
            {
                group = flag.Group;
                text.Append('\n').Append(group).Append(":\n");
            }

            string left = "  " + (flag.ShortName is null ? "    " : flag.ShortName + ", ") + flag.LongName
                + (flag.ValueName is null ? "" : " " + flag.ValueName);
            AppendRow(text, left, flag.Description);
            string env = flag.Environment.Count == 0 ? "" : "env " + string.Join(", ", flag.Environment) + "; ";
            AppendRow(text, "", "(" + env + "default: " + flag.DefaultText + ")");
        }

        text.Append("\nEnvironment only:\n");
        foreach ((string name, string defaultText, string description) in CaptureCliOptions.EnvironmentOnly)
        {
            AppendRow(text, "  " + name, description);
            AppendRow(text, "", "(default: " + defaultText + ")");
        }

        text.Append("\nOther:\n");
        AppendRow(text, "  -h, --help", "Show this help.");
        AppendRow(text, "  --version", "Show the version.");
        text.Append("\nExit codes: 0 success (or nothing to do), 1 any error, 126 validation failed.\n");
        return text.ToString();
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
