using Capture.NativeShims.Namespaces;

namespace Capture.Init.Applying;

/// <summary>Runs host-fact detection inside <c>--network-namespace</c> with setns(2) on a dedicated thread.</summary>
internal sealed class NetworkNamespaceRunner : INetworkNamespaceRunner
{
    public T Run<T>(string? namespacePath, Func<T> action)
    {
        try
        {
            return NetworkNamespace.Run(namespacePath, action);
        }
        catch (IOException exception) when (namespacePath is not null)
        {
            throw new CaptureException($"--network-namespace: '{namespacePath}': {exception.Message}", exception);
        }
    }
}
