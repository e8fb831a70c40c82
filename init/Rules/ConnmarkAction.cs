namespace Capture.Init.Rules;

/// <summary>What <c>-j CONNMARK</c> does.</summary>
internal enum ConnmarkAction
{
    /// <summary><c>--save-mark</c>: copy the packet mark to the connection.</summary>
    SaveMark,

    /// <summary><c>--restore-mark</c>: copy the connection mark to the packet.</summary>
    RestoreMark,
}
