namespace Capture.Init.Console;

/// <summary>Where output meant for the person running capture-init goes: stdout for results (dry-run), stderr for errors and logs.</summary>
internal interface ICaptureConsole
{
    /// <summary>Standard output: the dry-run plan, help.</summary>
    TextWriter Out { get; }

    /// <summary>Standard error: one-line errors and logs.</summary>
    TextWriter Error { get; }
}
