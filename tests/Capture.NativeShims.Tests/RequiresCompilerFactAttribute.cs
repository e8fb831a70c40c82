namespace Capture.NativeShims.Tests;

/// <summary>A fact that skips, saying why, when no C compiler is on PATH to read the real headers.</summary>
public sealed class RequiresCompilerFactAttribute : FactAttribute
{
    public RequiresCompilerFactAttribute()
    {
        if (CHeaders.Compiler is null)
        {
            Skip = "no C compiler (gcc or cc) on PATH to compile the header probe";
        }
    }
}
