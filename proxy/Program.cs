using Capture.Proxy.Cli;
using Capture.Proxy.Hosting;

namespace Capture.Proxy;

internal static class Program
{
    private static Task<int> Main(string[] args) =>
        ProxyCommand.RunAsync(args, Environment.GetEnvironmentVariable, EngineAdapter.Create, Console.Out, Console.Error);
}
