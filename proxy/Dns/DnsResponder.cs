using System.Net;
using Capture.Proxy.Metrics;
using Capture.Proxy.Workloads;

namespace Capture.Proxy.Dns;

/// <summary>
/// Decides the answer to one query, whatever the transport: A or AAAA for a name the workloads file knows is answered
/// here (authoritative NOERROR, possibly with no records); everything else is forwarded unchanged, with SERVFAIL
/// when no nameserver answers or too many forwards are outstanding; unreadable queries get FORMERR (or nothing,
/// without a header). UDP answers are cut to the client's size with TC set.
/// </summary>
internal sealed class DnsResponder
{
    private readonly Func<WorkloadIndex> _workloads;
    private readonly string _namespace;
    private readonly DnsForwarder _forwarder;
    private readonly int _maxOutstanding;
    private int _outstanding;
    private volatile NamesSnapshot _names;

    public DnsResponder(Func<WorkloadIndex> workloads, string ownNamespace, DnsForwarder forwarder, DnsMetrics metrics, int maxOutstanding)
    {
        _workloads = workloads;
        _namespace = ownNamespace;
        _forwarder = forwarder;
        Metrics = metrics;
        _maxOutstanding = maxOutstanding;
        WorkloadIndex index = workloads();
        _names = new NamesSnapshot(index, new DnsNameTable(index.Config, ownNamespace));
    }

    public DnsMetrics Metrics { get; }

    /// <summary>The names of the current file version.</summary>
    public DnsNameTable Names
    {
        get
        {
            WorkloadIndex index = _workloads();
            NamesSnapshot snapshot = _names;
            if (!ReferenceEquals(snapshot.Index, index))
            {
                snapshot = new NamesSnapshot(index, new DnsNameTable(index.Config, _namespace));
                _names = snapshot;
            }

            return snapshot.Table;
        }
    }

    /// <summary>
    /// The answer to <paramref name="message"/> when it can be given without waiting (a local name, a malformed query,
    /// SERVFAIL for want of room), else null with <paramref name="forward"/> true: call <see cref="ForwardAsync"/>.
    /// A null answer with <paramref name="forward"/> false means: send nothing.
    /// </summary>
    public ArraySegment<byte>? TryAnswerNow(ArraySegment<byte> message, bool tcp, out bool forward)
    {
        forward = false;
        if (!DnsWire.TryReadQuery(message, out DnsQuery query, out bool forwardable))
        {
            if (!forwardable)
            {
                Metrics.Query(DnsResult.Malformed, tcp);
                // A message without a header, or a response sent to us, gets no answer: answering could reflect it.
                if (message.Count < DnsWire.HeaderSize || (message[2] & 0x80) != 0)
                {
                    return null;
                }

                return new ArraySegment<byte>(DnsWire.Error(message, null, DnsWire.RcodeFormErr));
            }
        }
        else if (query.Class == DnsWire.ClassIn && query.Type is DnsWire.TypeA or DnsWire.TypeAaaa &&
            Names.TryLookup(query.Name, query.Type, out IReadOnlyList<IPAddress> addresses))
        {
            Metrics.Query(DnsResult.Local, tcp);
            byte[] answer = DnsWire.Answer(message, query, addresses);
            return tcp ? answer : DnsWire.Truncate(answer, query.MaxUdpSize);
        }

        if (_forwarder.Nameservers.Count == 0 || !TryTakeSlot())
        {
            Metrics.Query(DnsResult.ServFail, tcp);
            return ServFail(message);
        }

        forward = true;
        return null;
    }

    /// <summary>Forwards a query <see cref="TryAnswerNow"/> left to it (and took a slot for); returns the answer to send.</summary>
    public async Task<ArraySegment<byte>> ForwardAsync(ReadOnlyMemory<byte> message, bool tcp, CancellationToken cancellationToken)
    {
        Metrics.UpstreamStarted();
        try
        {
            byte[]? answer = await _forwarder.ForwardAsync(message, tcp, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                Metrics.Query(DnsResult.ServFail, tcp);
                return ServFail(message.ToArray());
            }

            Metrics.Query(DnsResult.Forwarded, tcp);
            if (tcp)
            {
                return answer;
            }

            int maxSize = DnsWire.TryReadQuery(message.ToArray(), out DnsQuery query, out _) ? query.MaxUdpSize : DnsWire.ClassicUdpSize;
            return DnsWire.Truncate(answer, maxSize);
        }
        finally
        {
            Metrics.UpstreamEnded();
            Interlocked.Decrement(ref _outstanding);
        }
    }

    private bool TryTakeSlot()
    {
        if (Interlocked.Increment(ref _outstanding) <= _maxOutstanding)
        {
            return true;
        }

        Interlocked.Decrement(ref _outstanding);
        return false;
    }

    private static byte[] ServFail(ArraySegment<byte> message) =>
        DnsWire.Error(message, DnsWire.TryReadQuery(message, out DnsQuery query, out _) ? query : null, DnsWire.RcodeServFail);

    private sealed record NamesSnapshot(WorkloadIndex Index, DnsNameTable Table);
}
