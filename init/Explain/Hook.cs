namespace Capture.Init.Explain;

/// <summary>The netfilter hooks a packet of a local pod crosses; each names the built-in chain of every table there.</summary>
internal enum Hook
{
    Prerouting,
    Input,
    Output,
    Postrouting,
}
