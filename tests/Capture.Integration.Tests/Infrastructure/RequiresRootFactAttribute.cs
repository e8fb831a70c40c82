namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// A <see cref="FactAttribute"/> that skips, with the reason found at run time, unless the process is root on Linux
/// and <c>ip</c>, <c>iptables-restore</c>, <c>iptables-save</c> and every tool in <see cref="Tools"/> are on PATH.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresRootFactAttribute : FactAttribute
{
    /// <summary>Extra executables the test needs (e.g. <c>setpriv</c>, <c>iptables-legacy</c>). Default none.</summary>
    public string[] Tools { get; set; } = [];

    /// <inheritdoc />
    public override string? Skip
    {
        get => base.Skip ?? TestRequirements.SkipReason(Tools);
        set => base.Skip = value;
    }
}
