namespace Capture.Integration.Tests.Infrastructure;

/// <summary>The <see cref="TheoryAttribute"/> twin of <see cref="RequiresRootFactAttribute"/>: same run-time checks.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresRootTheoryAttribute : TheoryAttribute
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
