namespace Capture.Init.Console;

/// <summary>A console that records what was written, for tests and for callers that want the output as text.</summary>
internal sealed class BufferedConsole : ICaptureConsole, IDisposable
{
    private readonly StringWriter _out = new() { NewLine = "\n" };
    private readonly StringWriter _error = new() { NewLine = "\n" };

    public TextWriter Out => _out;

    public TextWriter Error => _error;

    /// <summary>Everything written to <see cref="Out"/>.</summary>
    public string OutText => _out.ToString();

    /// <summary>Everything written to <see cref="Error"/>.</summary>
    public string ErrorText => _error.ToString();

    public void Dispose()
    {
        _out.Dispose();
        _error.Dispose();
    }
}
