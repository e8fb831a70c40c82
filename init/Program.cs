namespace Capture.Init;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("capture-init: not implemented yet");
        return args.Length == 0 ? 1 : 1;
    }
}
