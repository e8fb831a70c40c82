namespace Capture.Init.Console;

/// <summary>The process's stdout and stderr.</summary>
internal sealed class SystemConsole : ICaptureConsole
{
    public static SystemConsole Instance { get; } = new();

    private SystemConsole()
    {
    }

    public TextWriter Out => System.Console.Out;

    public TextWriter Error => System.Console.Error;
}
