using System.IO.Pipelines;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>A decrypted <see cref="System.Net.Security.SslStream"/> as the transport pipe Kestrel's HTTP/2 reads and writes.</summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
}
