using Capture.Init.Cli;

namespace Capture.Init;

internal static class Program
{
    private static Task<int> Main(string[] args) => CaptureCli.RunAsync(args, CaptureCliServices.CreateSystem());
}
