namespace Capture.NativeShims.Tests;

internal sealed class PipeFixture : IDisposable
{
    public PipeFixture()
    {
        Pipes.Create(out int read, out int write).Should().Be(Errno.None);
        Read = new SafeFileDescriptor(read);
        Write = new SafeFileDescriptor(write);
    }

    public SafeFileDescriptor Read { get; }

    public SafeFileDescriptor Write { get; }

    public void Dispose()
    {
        Read.Dispose();
        Write.Dispose();
    }
}
