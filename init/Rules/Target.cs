namespace Capture.Init.Rules;

/// <summary>What a rule does when every match holds (<c>-j …</c>). <see cref="ToString"/> is the exact docs/rules.md text.</summary>
internal abstract record Target
{
    /// <summary>Appends <c>-j NAME</c> and the target's options as argv tokens.</summary>
    public abstract void AppendTokens(List<string> tokens);

    public sealed override string ToString()
    {
        var tokens = new List<string>(6);
        AppendTokens(tokens);
        return string.Join(' ', tokens);
    }
}
