using System.Buffers;
using System.IO.Pipelines;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>A decrypted <see cref="System.Net.Security.SslStream"/> as the transport pipe Kestrel's HTTP/2 reads and writes.</summary>
/// <remarks>
/// The defaults (4 KiB reads, 4 KiB write segments) made one SslStream call per 4 KiB: a TLS record holds 16 KiB, and
/// every segment the writer flushes becomes a record of its own. Reads and segments of a record's size or more let
/// a bulk stream move in full records; the few tunnel connections a pod has make the larger buffers cheap.
/// </remarks>
internal sealed class StreamDuplexPipe(Stream stream, MemoryPool<byte> pool) : IDuplexPipe
{
    private const int TlsRecordSize = 16 * 1024;

    public PipeReader Input { get; } = PipeReader.Create(stream,
        new StreamPipeReaderOptions(pool, bufferSize: 4 * TlsRecordSize, minimumReadSize: TlsRecordSize, leaveOpen: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(pool, minimumBufferSize: 4 * TlsRecordSize, leaveOpen: true));
}
