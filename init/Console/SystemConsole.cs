using System.Text;

namespace Capture.Init.Console;

/// <summary>The process's stdout and stderr.</summary>
/// <remarks>
/// Plain UTF-8 writers over the standard streams rather than <see cref="System.Console.Out"/> and
/// <see cref="System.Console.Error"/>: those work out the terminal's charset from the locale on first use (an encoding
/// lookup by name, several milliseconds of a run that lasts tens). A container's streams are pipes or files, UTF-8.
/// Each write is flushed, as the console's are, so nothing is lost when the process exits.
/// </remarks>
internal sealed class SystemConsole : ICaptureConsole
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly Lazy<TextWriter> _out = new(() => Create(System.Console.OpenStandardOutput()));
    private readonly Lazy<TextWriter> _error = new(() => Create(System.Console.OpenStandardError()));

    private SystemConsole()
    {
    }

    public static SystemConsole Instance { get; } = new();

    public TextWriter Out => _out.Value;

    public TextWriter Error => _error.Value;

    private static TextWriter Create(Stream stream) =>
        TextWriter.Synchronized(new StreamWriter(stream, s_utf8, bufferSize: 4096) { AutoFlush = true, NewLine = "\n" });
}
