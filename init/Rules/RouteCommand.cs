namespace Capture.Init.Rules;

/// <summary>
/// A policy-routing or address change TPROXY needs (<c>ip rule</c>, <c>ip route</c>, <c>ip addr</c>). Applying must
/// tolerate one that already exists (EEXIST), since a restarted init container runs them again.
/// </summary>
internal abstract record RouteCommand(IpFamily Family)
{
    /// <summary>The arguments after <c>ip</c>, e.g. <c>-6 rule add fwmark 1337 lookup 133</c>.</summary>
    public IReadOnlyList<string> Arguments
    {
        get
        {
            var arguments = new List<string>(10);
            if (Family == IpFamily.V6)
            {
                arguments.Add("-6");
            }

            AppendArguments(arguments);
            return arguments;
        }
    }

    private protected abstract void AppendArguments(List<string> arguments);

    /// <summary>The command that undoes this one, e.g. <c>ip rule del fwmark 1337 lookup 133</c>, as clean-up runs it.</summary>
    public string ToDeleteString()
    {
        var arguments = new List<string>(Arguments);
        arguments[arguments.IndexOf("add")] = "del";
        return "ip " + string.Join(' ', arguments);
    }

    /// <summary>The command line, e.g. <c>ip rule add fwmark 1337 lookup 133</c>.</summary>
    public sealed override string ToString() => "ip " + string.Join(' ', Arguments);
}
