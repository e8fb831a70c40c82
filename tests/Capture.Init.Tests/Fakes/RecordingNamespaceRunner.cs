using Capture.Init.Applying;
using Capture.Init.Cli;

namespace Capture.Init.Tests.Fakes;

/// <summary>Runs inline and records which namespace was asked for.</summary>
internal sealed class RecordingNamespaceRunner : INetworkNamespaceRunner
{
    public List<string?> Paths { get; } = [];

    public T Run<T>(string? namespacePath, Func<T> action)
    {
        Paths.Add(namespacePath);
        return action();
    }
}
