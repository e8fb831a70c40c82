namespace Capture.NativeShims.Tests;

public class PipesTests
{
    [Fact]
    public void Create_DefaultCapacity_IsTheKernelDefault()
    {
        using PipeFixture pipe = new();

        SysResult capacity = Pipes.GetCapacity(pipe.Write.Fd);

        capacity.Should().Be(SysResult.Ok(Pipes.DefaultCapacity));
    }

    [Theory]
    [InlineData(4096, 4096)]
    [InlineData(100_000, 128 * 1024)] // the kernel rounds up to a power-of-two number of pages
    [InlineData(1024 * 1024, 1024 * 1024)]
    public void SetCapacity_RoundsUpAndReadsBack(int requested, int expected)
    {
        using PipeFixture pipe = new();

        SysResult set = Pipes.SetCapacity(pipe.Write.Fd, requested);

        set.Should().Be(SysResult.Ok(expected));
        Pipes.GetCapacity(pipe.Read.Fd).Should().Be(SysResult.Ok(expected));
    }

    [Fact]
    public void Create_IsNonBlocking_ReadOfEmptyPipeIsEagain()
    {
        using PipeFixture pipe = new();
        byte[] buffer = new byte[16];

        SysResult read = Read(pipe.Read.Fd, buffer);

        read.Error.Should().Be(Errno.EAGAIN);
    }

    [Fact]
    public void BytesAvailable_CountsWhatIsQueued()
    {
        using PipeFixture pipe = new();
        Write(pipe.Write.Fd, new byte[1234]);

        SysResult available = Pipes.BytesAvailable(pipe.Read.Fd);

        available.Should().Be(SysResult.Ok(1234));
    }

    private static SysResult Read(int fd, byte[] buffer) => FileDescriptors.Read(fd, buffer);

    private static void Write(int fd, byte[] buffer) => FileDescriptors.Write(fd, buffer).Should().Be(SysResult.Ok(buffer.Length));

    [Fact]
    public void Duplicate_NamesTheSamePipe_AndOutlivesTheOriginalDescriptor()
    {
        using PipeFixture pipe = new();
        SysResult duplicate = FileDescriptors.Duplicate(pipe.Read.Fd);
        duplicate.IsSuccess.Should().BeTrue();
        using SafeFileDescriptor copy = new(duplicate.Value);
        copy.Fd.Should().NotBe(pipe.Read.Fd);

        FileDescriptors.Write(pipe.Write.Fd, "abc"u8).Should().Be(SysResult.Ok(3));
        pipe.Read.Dispose();
        byte[] buffer = new byte[8];

        FileDescriptors.Read(copy.Fd, buffer).Should().Be(SysResult.Ok(3));
        buffer.AsSpan(0, 3).ToArray().Should().Equal("abc"u8.ToArray());
    }

    [Fact]
    public void WriteAllThenReadToEnd_MovesEveryByteAcrossABlockingPipe()
    {
        Pipes.Create(out int read, out int write).Should().Be(Errno.None);
        using SafeFileDescriptor reader = new(read);
        SafeFileDescriptor writer = new(write);
        global::Capture.NativeShims.Interop.Libc.Fcntl(read, global::Capture.NativeShims.Interop.Libc.F_SETFL, 0).Should().Be(0); // blocking, as a child's stdout is
        global::Capture.NativeShims.Interop.Libc.Fcntl(write, global::Capture.NativeShims.Interop.Libc.F_SETFL, 0).Should().Be(0);
        byte[] data = new byte[300_000]; // several pipe buffers: the reader must keep up while the writer blocks
        new Random(7).NextBytes(data);

        Thread writing = new(() =>
        {
            FileDescriptors.WriteAll(writer.Fd, data).Should().Be(Errno.None);
            writer.Dispose();
        });
        writing.Start();
        SysResult result = FileDescriptors.ReadToEnd(reader.Fd, out byte[] content);
        writing.Join();

        result.Should().Be(SysResult.Ok(data.Length));
        content.Should().Equal(data);
    }

    [Fact]
    public void WriteAll_ReaderClosed_ReportsEpipe()
    {
        Pipes.Create(out int read, out int write).Should().Be(Errno.None);
        using SafeFileDescriptor writer = new(write);
        new SafeFileDescriptor(read).Dispose();

        FileDescriptors.WriteAll(writer.Fd, "x"u8).Should().Be(Errno.EPIPE);
    }
}
