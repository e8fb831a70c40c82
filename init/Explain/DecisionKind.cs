namespace Capture.Init.Explain;

/// <summary>Matched rules that shape the verdict.</summary>
internal enum DecisionKind
{
    Jump,
    Return,
    Accept,
    Drop,
    Redirect,
    TProxy,
}
