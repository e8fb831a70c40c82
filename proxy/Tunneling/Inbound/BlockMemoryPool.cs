using System.Buffers;
using System.Collections.Concurrent;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// The buffers of 15008's pipes (Kestrel's connection and request-body pipes, and the decrypted stream's): 64 KiB
/// blocks, kept for reuse up to a bound.
/// </summary>
/// <remarks>
/// Without a pool of its own, Kestrel falls back to <see cref="MemoryPool{T}.Shared"/>: 4 KiB arrays from the shared
/// ArrayPool, rented on the thread that parses a DATA frame and returned on the one that relays it, so the per-thread
/// caches kept running dry and a bulk tunnel allocated new arrays (perf: 4.5% of the receiving proxy in the GC's
/// allocator). Kestrel asks for "at least 4 KiB" and fills whatever it gets, so 64 KiB blocks also cut a 64 KiB DATA
/// frame's sixteen pipe segments to one.
/// </remarks>
internal sealed class BlockMemoryPool(int maxFreeBlocks = BlockMemoryPool.DefaultMaxFreeBlocks) : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    // 4 MiB kept between bursts: a bulk stream's window is 4 MiB; idle tunnels hold no block at all.
    private const int DefaultMaxFreeBlocks = 64;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks waiting for reuse (tests and diagnostics).</summary>
    public int FreeBlocks => Volatile.Read(ref _freeCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rented();
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        _free.Clear();
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) <= maxFreeBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount); // enough kept: this one goes to the GC
        }
    }

    private sealed class Block(BlockMemoryPool pool) : IMemoryOwner<byte>
    {
        // Pinned (the pinned-object heap): sockets and TLS pin buffers for every call; these never move anyway.
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        private int _returned;

        public Memory<byte> Memory => _array;

        public void Rented() => Volatile.Write(ref _returned, 0);

        public void Dispose()
        {
            // Returned once however often disposed: a second return would hand one block to two owners.
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                pool.Return(this);
            }
        }
    }
}
