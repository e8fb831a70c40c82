using System.Buffers;
using Capture.Proxy.Tunneling.Inbound;

namespace Capture.Proxy.Tests.Tunneling;

public sealed class BlockMemoryPoolTests
{
    [Fact]
    public void Rent_AfterReturn_HandsOutTheSameBlockAgain()
    {
        using BlockMemoryPool pool = new();
        IMemoryOwner<byte> first = pool.Rent(4096);
        Memory<byte> memory = first.Memory;
        first.Dispose();

        using IMemoryOwner<byte> second = pool.Rent(4096);

        second.Memory.Length.Should().Be(BlockMemoryPool.BlockSize);
        second.Memory.Equals(memory).Should().BeTrue("a returned block is reused rather than allocated anew");
    }

    [Fact]
    public void Dispose_Twice_ReturnsTheBlockOnce()
    {
        using BlockMemoryPool pool = new();
        IMemoryOwner<byte> block = pool.Rent();
        block.Dispose();
        block.Dispose();

        pool.FreeBlocks.Should().Be(1);
        using IMemoryOwner<byte> a = pool.Rent();
        using IMemoryOwner<byte> b = pool.Rent();
        a.Memory.Equals(b.Memory).Should().BeFalse("one block must never have two owners");
    }

    [Fact]
    public void Return_BeyondTheBound_KeepsOnlyTheBound()
    {
        using BlockMemoryPool pool = new(maxFreeBlocks: 2);
        IMemoryOwner<byte>[] blocks = [pool.Rent(), pool.Rent(), pool.Rent()];
        foreach (IMemoryOwner<byte> block in blocks)
        {
            block.Dispose();
        }

        pool.FreeBlocks.Should().Be(2);
    }

    [Fact]
    public void Rent_LargerThanABlock_IsRefused()
    {
        using BlockMemoryPool pool = new();

        Action rent = () => pool.Rent(BlockMemoryPool.BlockSize + 1);

        rent.Should().Throw<ArgumentOutOfRangeException>();
    }
}
