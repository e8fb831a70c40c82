namespace Capture.Init.Applying;

/// <summary>
/// Runs host-fact detection (addresses, resolv.conf) inside the namespace named by <c>--network-namespace</c>, so facts
/// describe the pod rather than wherever capture-init happens to run.
/// </summary>
internal interface INetworkNamespaceRunner
{
    /// <summary>Runs <paramref name="action"/> in <paramref name="namespacePath"/>, or in the current namespace when null.</summary>
    T Run<T>(string? namespacePath, Func<T> action);
}
