namespace Capture.Proxy;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("capture-proxy: not implemented yet");
        return args.Length == 0 ? 1 : 1;
    }
}
