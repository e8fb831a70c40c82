using System.Diagnostics;
using Capture.Init.Cli;

namespace Capture.Init;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        // The first Process.Start copies the whole environment into ProcessStartInfo.Environment, a one-time cost of a
        // few milliseconds. Paid here on a background thread (the second core), it overlaps parsing and planning
        // instead of delaying the first iptables process. Nothing is started or changed.
        new Thread(static () => _ = new ProcessStartInfo().Environment.Count) { IsBackground = true, Name = "warm-up" }.Start();
        return CaptureCli.RunAsync(args, CaptureCliServices.CreateSystem());
    }
}
