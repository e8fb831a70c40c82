namespace Capture.Init.Rules;

/// <summary>Which id an owner match tests.</summary>
internal enum OwnerKind
{
    /// <summary><c>--uid-owner</c>.</summary>
    Uid,

    /// <summary><c>--gid-owner</c>.</summary>
    Gid,
}
